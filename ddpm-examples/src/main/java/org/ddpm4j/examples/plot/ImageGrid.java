package org.ddpm4j.examples.plot;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.ddpm4j.api.tensor.HostArray;

/**
 * Images {@code [n, C, H, W]} with values in [-1, 1] (C = 1 grey or 3 RGB) laid out as a grid of
 * {@code rows x columns} tiles with a one-pixel gap, each pixel drawn as a {@code zoom x zoom} block.
 */
public final class ImageGrid {
    private ImageGrid() {
    }

    public static BufferedImage render(HostArray images, int rows, int columns, int zoom) {
        int[] shape = images.shape();
        if (shape.length != 4 || (shape[1] != 1 && shape[1] != 3)) {
            throw new IllegalArgumentException("expected images [n, 1 or 3, H, W], got " + java.util.Arrays.toString(shape));
        }
        int n = shape[0];
        int c = shape[1];
        int h = shape[2];
        int w = shape[3];
        if (rows * columns < n) {
            throw new IllegalArgumentException(n + " images do not fit a " + rows + "x" + columns + " grid");
        }
        int gap = 1;
        BufferedImage out = new BufferedImage(columns * (w * zoom + gap) + gap, rows * (h * zoom + gap) + gap, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.dispose();
        float[] v = images.data();
        for (int k = 0; k < n; k++) {
            int x0 = gap + (k % columns) * (w * zoom + gap);
            int y0 = gap + (k / columns) * (h * zoom + gap);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = 0;
                    for (int ch = 0; ch < 3; ch++) {
                        float value = v[((k * c + (c == 1 ? 0 : ch)) * h + y) * w + x];
                        int level = Math.max(0, Math.min(255, Math.round((value + 1) * 127.5f)));
                        rgb = (rgb << 8) | level;
                    }
                    for (int dy = 0; dy < zoom; dy++) {
                        for (int dx = 0; dx < zoom; dx++) {
                            out.setRGB(x0 + x * zoom + dx, y0 + y * zoom + dy, rgb);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Renders and writes a PNG atomically. */
    public static void save(Path png, HostArray images, int rows, int columns, int zoom) {
        Figure.write(png, render(images, rows, columns, zoom));
    }
}
