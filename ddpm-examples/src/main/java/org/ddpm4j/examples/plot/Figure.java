package org.ddpm4j.examples.plot;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.ddpm4j.toolkit.io.AtomicFiles;

/** Charts arranged in a grid and written as one PNG. */
public final class Figure {
    private Figure() {
    }

    /** Writes {@code charts} in rows of {@code columns}, each panel {@code panelWidth x panelHeight}. */
    public static void save(Path png, int columns, int panelWidth, int panelHeight, List<Chart> charts) {
        int rows = (charts.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * panelWidth, rows * panelHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                charts.get(i).draw(g, (i % columns) * panelWidth, (i / columns) * panelHeight, panelWidth, panelHeight);
            }
        } finally {
            g.dispose();
        }
        write(png, image);
    }

    /** Writes an image as PNG, atomically. */
    public static void write(Path png, BufferedImage image) {
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
