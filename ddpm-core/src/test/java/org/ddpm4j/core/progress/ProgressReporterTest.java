package org.ddpm4j.core.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

    @Test
    void printsAtMostOncePerIntervalWithRateAndTimeLeftAndAlwaysAtTheEnd() {
        StringWriter text = new StringWriter();
        AtomicLong now = new AtomicLong();
        ProgressReporter p = new ProgressReporter("train", "steps", 100, new PrintWriter(text), 2.0, now::get);
        for (int done = 1; done <= 100; done++) {
            now.addAndGet(100_000_000L); // 0.1 s a step: 10 steps/s
            p.update(done, "loss 0.5");
        }
        String[] lines = text.toString().split("\n");
        assertEquals("train  21/100   21%  10.0 steps/s  ETA 8s  loss 0.5", lines[0]);
        assertEquals(5, lines.length, "every 2 s of 10 s, the last one at the end");
        assertEquals("train  100/100  100%  10.0 steps/s  took 10s  loss 0.5", lines[4]);
    }

    @Test
    void formatsDurations() {
        assertEquals("42s", ProgressReporter.duration(42.4));
        assertEquals("3m05s", ProgressReporter.duration(185));
        assertEquals("1h02m", ProgressReporter.duration(3725));
    }
}
