package org.ddpm4j.examples.inpaint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The copyable example runs and shows what it claims: resampling brings the inpainted mean to the exact one. */
class InpaintingExampleTest {
    @Test
    void resamplingMatchesTheExactConditionalMean() {
        StringWriter text = new StringWriter();
        InpaintingExample.run(new PrintWriter(text));
        String out = text.toString();
        double exact = number(out, "exact ([-0-9.]+)");
        double plain = number(out, "resampling  1: ([-0-9.]+)");
        double resampled = number(out, "resampling 20: ([-0-9.]+)");
        assertEquals(exact, resampled, 0.1, out);
        assertTrue(Math.abs(plain - exact) > Math.abs(resampled - exact), out);
        assertTrue(out.contains("strength 1.0"), out);
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }
}
