package org.ddpm4j.schedules;

import java.util.List;
import org.ddpm4j.api.plugin.ScheduleFactory;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.ScheduleContract;

/**
 * Every example configuration of every schedule of {@link SchedulesPlugin} (with and without zero
 * terminal SNR) passes the testkit contract: a schedule added to the plugin is tested with no test edit.
 */
class ScheduleContractsTest extends ScheduleContract {

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }

    /** Only this module's schedules (other plugins on the test class path are tested in their own modules). */
    @Override
    protected List<ScheduleFactory> schedules() {
        return new SchedulesPlugin().schedules();
    }
}
