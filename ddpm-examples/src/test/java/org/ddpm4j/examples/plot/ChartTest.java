package org.ddpm4j.examples.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Point clouds are drawn with the same units per pixel on both axes: a circle stays a circle. */
class ChartTest {
    private static final Color RED = new Color(255, 0, 0);

    /** Width and height in pixels of the red points of a unit circle drawn into a {@code w x h} chart. */
    private static int[] circleExtent(Chart chart, int w, int h) {
        int n = 400;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.cos(2 * Math.PI * i / n);
            y[i] = Math.sin(2 * Math.PI * i / n);
        }
        chart.scatter("", x, y, RED, 2f);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        chart.draw(g, 0, 0, w, h);
        g.dispose();
        int minX = w, maxX = -1, minY = h, maxY = -1;
        for (int i = 0; i < w; i++) {
            for (int j = 0; j < h; j++) {
                Color c = new Color(image.getRGB(i, j));
                if (c.getRed() - c.getGreen() > 60 && c.getRed() - c.getBlue() > 60) { // red points, drawn translucent
                    minX = Math.min(minX, i);
                    maxX = Math.max(maxX, i);
                    minY = Math.min(minY, j);
                    maxY = Math.max(maxY, j);
                }
            }
        }
        return new int[] {maxX - minX, maxY - minY};
    }

    @Test
    void aScatterPlotKeepsACircleRoundInAWideChart() {
        int[] e = circleExtent(new Chart("circle", "x", "y"), 900, 400);
        assertTrue(e[1] > 150, "the circle fills the height: " + e[1]);
        assertEquals(e[1], e[0], 0.02 * e[1], "width and height of the circle in pixels (2 %: the points' own size and rounding)");
    }

    @Test
    void givenRangesAreWidenedNotSquashed() {
        int[] e = circleExtent(new Chart("circle", "x", "y").xRange(-1.5, 1.5).yRange(-1.5, 1.5), 480, 480);
        assertEquals(e[1], e[0], 0.02 * e[1], "a square panel's plot area is not square (labels take room): still a circle");
    }

    @Test
    void aLineChartStillFillsItsArea() {
        Chart lines = new Chart("loss", "step", "loss").line("", new double[] {0, 1000}, new double[] {0, 1}, Color.BLACK);
        assertTrue(!lines.hasEqualAspect());
    }
}
