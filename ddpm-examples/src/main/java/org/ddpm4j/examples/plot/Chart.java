package org.ddpm4j.examples.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small 2-D chart drawn with Java2D: line and scatter series, axes with round-number ticks, a
 * title and a legend. Enough for loss curves, schedules and point clouds; {@link Figure} arranges
 * charts into a PNG.
 */
public final class Chart {
    /** Colours that stay distinguishable for the colour-blind (Okabe-Ito). */
    public static final Color[] PALETTE = {
        new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(230, 159, 0), new Color(86, 180, 233), new Color(240, 228, 66), Color.DARK_GRAY};

    private record Series(String label, double[] x, double[] y, Color color, boolean scatter, float size) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private double[] xRange;
    private double[] yRange;
    private boolean equalAspect;

    public Chart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public Chart line(String label, double[] x, double[] y, Color color) {
        series.add(new Series(label, x.clone(), y.clone(), color, false, 2f));
        return this;
    }

    public Chart scatter(String label, double[] x, double[] y, Color color, float pointSize) {
        series.add(new Series(label, x.clone(), y.clone(), color, true, pointSize));
        return this;
    }

    public Chart xRange(double lo, double hi) {
        xRange = new double[] {lo, hi};
        return this;
    }

    public Chart yRange(double lo, double hi) {
        yRange = new double[] {lo, hi};
        return this;
    }

    /**
     * Both axes with the same data units per pixel (a circle stays round): the axis with room to
     * spare is widened about its centre. For point clouds; chosen by default for a chart of scatter series only.
     */
    public Chart equalAspect() {
        equalAspect = true;
        return this;
    }

    /** Whether the chart is drawn with equal units per pixel on both axes. */
    boolean hasEqualAspect() {
        return equalAspect || !series.isEmpty() && series.stream().allMatch(Series::scatter);
    }

    /** Draws the chart into the rectangle {@code (left, top, width, height)}. */
    public void draw(Graphics2D g, int left, int top, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(left, top, width, height);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, height / 40));
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        int padLeft = fm.stringWidth("-0.0000") + fm.getHeight() + 12;
        int padBottom = 2 * fm.getHeight() + 10;
        int padTop = fm.getHeight() + 14;
        int padRight = 16;
        int px = left + padLeft;
        int py = top + padTop;
        int pw = width - padLeft - padRight;
        int ph = height - padTop - padBottom;

        double[] xr = xRange != null ? xRange : range(true);
        double[] yr = yRange != null ? yRange : range(false);
        double[] xt = ticks(xr[0], xr[1]);
        double[] yt = ticks(yr[0], yr[1]);
        xr = new double[] {Math.min(xr[0], xt[0]), Math.max(xr[1], xt[xt.length - 1])};
        yr = new double[] {Math.min(yr[0], yt[0]), Math.max(yr[1], yt[yt.length - 1])};
        if (hasEqualAspect()) {
            double unitsPerPixel = Math.max((xr[1] - xr[0]) / pw, (yr[1] - yr[0]) / ph);
            xr = widened(xr, unitsPerPixel * pw);
            yr = widened(yr, unitsPerPixel * ph);
            xt = ticksWithin(xr);
            yt = ticksWithin(yr);
        }

        g.setColor(new Color(235, 235, 235));
        for (double v : xt) {
            int sx = (int) Math.round(px + (v - xr[0]) / (xr[1] - xr[0]) * pw);
            g.drawLine(sx, py, sx, py + ph);
        }
        for (double v : yt) {
            int sy = (int) Math.round(py + ph - (v - yr[0]) / (yr[1] - yr[0]) * ph);
            g.drawLine(px, sy, px + pw, sy);
        }
        g.setColor(Color.BLACK);
        g.drawRect(px, py, pw, ph);
        for (double v : xt) {
            int sx = (int) Math.round(px + (v - xr[0]) / (xr[1] - xr[0]) * pw);
            String s = format(v, xt);
            g.drawString(s, sx - fm.stringWidth(s) / 2, py + ph + fm.getAscent() + 4);
        }
        for (double v : yt) {
            int sy = (int) Math.round(py + ph - (v - yr[0]) / (yr[1] - yr[0]) * ph);
            String s = format(v, yt);
            g.drawString(s, px - fm.stringWidth(s) - 5, sy + fm.getAscent() / 2 - 1);
        }
        g.drawString(xLabel, px + pw / 2 - fm.stringWidth(xLabel) / 2, top + height - 6);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, left + fm.getAscent() + 2, py + ph / 2.0);
        g.drawString(yLabel, left + fm.getAscent() + 2 - fm.stringWidth(yLabel) / 2, py + ph / 2 + fm.getAscent() / 2);
        g.setTransform(saved);
        Font bold = font.deriveFont(Font.BOLD);
        g.setFont(bold);
        g.drawString(title, px + pw / 2 - g.getFontMetrics().stringWidth(title) / 2, top + fm.getAscent() + 4);
        g.setFont(font);

        java.awt.Shape clip = g.getClip();
        g.clipRect(px + 1, py + 1, pw - 1, ph - 1);
        for (Series s : series) {
            g.setColor(s.color);
            if (s.scatter) {
                Color translucent = new Color(s.color.getRed(), s.color.getGreen(), s.color.getBlue(), 140);
                g.setColor(translucent);
                for (int i = 0; i < s.x.length; i++) {
                    double sx = px + (s.x[i] - xr[0]) / (xr[1] - xr[0]) * pw;
                    double sy = py + ph - (s.y[i] - yr[0]) / (yr[1] - yr[0]) * ph;
                    g.fill(new Ellipse2D.Double(sx - s.size / 2, sy - s.size / 2, s.size, s.size));
                }
            } else {
                g.setStroke(new BasicStroke(s.size));
                Path2D.Double path = new Path2D.Double();
                boolean started = false;
                for (int i = 0; i < s.x.length; i++) {
                    if (!Double.isFinite(s.y[i]) || !Double.isFinite(s.x[i])) {
                        started = false;
                        continue;
                    }
                    double sx = px + (s.x[i] - xr[0]) / (xr[1] - xr[0]) * pw;
                    double sy = py + ph - (s.y[i] - yr[0]) / (yr[1] - yr[0]) * ph;
                    if (started) {
                        path.lineTo(sx, sy);
                    } else {
                        path.moveTo(sx, sy);
                        started = true;
                    }
                }
                g.draw(path);
                g.setStroke(new BasicStroke(1f));
            }
        }
        g.setClip(clip);

        int ly = py + 8;
        for (Series s : series) {
            if (s.label == null || s.label.isEmpty()) {
                continue;
            }
            int lw = fm.stringWidth(s.label);
            int lx = px + pw - lw - 34;
            g.setColor(new Color(255, 255, 255, 210));
            g.fillRect(lx - 4, ly - 2, lw + 34, fm.getHeight() + 2);
            g.setColor(s.color);
            if (s.scatter) {
                g.fillOval(lx + 6, ly + fm.getHeight() / 2 - 4, 8, 8);
            } else {
                g.setStroke(new BasicStroke(3f));
                g.drawLine(lx, ly + fm.getHeight() / 2, lx + 20, ly + fm.getHeight() / 2);
                g.setStroke(new BasicStroke(1f));
            }
            g.setColor(Color.BLACK);
            g.drawString(s.label, lx + 26, ly + fm.getAscent());
            ly += fm.getHeight() + 2;
        }
    }

    private double[] range(boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : x ? s.x : s.y) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            return new double[] {lo - 1, hi + 1};
        }
        return new double[] {lo, hi};
    }

    /** {@code range} widened about its centre to {@code span}. */
    static double[] widened(double[] range, double span) {
        double centre = (range[0] + range[1]) / 2;
        return new double[] {centre - span / 2, centre + span / 2};
    }

    /** The round-number ticks of {@code range} that lie inside it. */
    private static double[] ticksWithin(double[] range) {
        double[] inside = java.util.Arrays.stream(ticks(range[0], range[1])).filter(v -> v >= range[0] - 1e-12 && v <= range[1] + 1e-12)
                .toArray();
        return inside.length > 0 ? inside : new double[] {(range[0] + range[1]) / 2};
    }

    /** Round-number ticks (1, 2 or 5 times a power of ten) covering [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double span = hi - lo;
        double raw = span / 6;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                step = m * magnitude;
                break;
            }
        }
        double first = Math.floor(lo / step) * step;
        double last = Math.ceil(hi / step) * step;
        int n = (int) Math.round((last - first) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    private static String format(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) + 1e-9));
        if (Math.abs(v) < step * 1e-6) {
            v = 0;
        }
        double big = Math.max(Math.abs(ticks[0]), Math.abs(ticks[ticks.length - 1]));
        if (big >= 1e5 || (big < 1e-3 && big > 0)) {
            return String.format(Locale.ROOT, "%.1e", v);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
