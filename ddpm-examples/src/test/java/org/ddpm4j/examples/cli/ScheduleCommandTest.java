package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.core.config.DiffusersSchedulerConfig;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.core.plugin.PluginRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleCommandTest {

    @Test
    void writesTheTableAndThePlot(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("cos.csv");
        Path png = dir.resolve("cos.png");
        Cli r = Cli.run("schedule", "--name", "cosine", "--steps", "200", "--out", csv.toString(), "--plot", png.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("t,beta,alpha_bar,sigma,log_snr", lines.get(0));
        assertEquals(201, lines.size());
        String[] row = lines.get(100).split(",");
        double alphaBar = Double.parseDouble(row[2]);
        double sigma = Double.parseDouble(row[3]);
        double logSnr = Double.parseDouble(row[4]);
        assertEquals(Math.sqrt((1 - alphaBar) / alphaBar), sigma, 1e-12);
        assertEquals(Math.log(alphaBar / (1 - alphaBar)), logSnr, 1e-9);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1280, image.getWidth());
        assertEquals(440, image.getHeight());
    }

    @Test
    void convertsADiffusersConfigBothWays(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("scheduler_config.json");
        Cli r = Cli.run("schedule", "--name", "scaled-linear", "--param", "beta_start=0.00085", "--param", "beta_end=0.012",
                "--write-config", config.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("scaled_linear", Json.readObject(config).get("beta_schedule"));
        Path csv = dir.resolve("t.csv");
        assertEquals(0, Cli.run("schedule", "--config", config.toString(), "--out", csv.toString()).exitCode());
        double last = Double.parseDouble(Files.readAllLines(csv).get(1000).split(",")[2]);
        var schedule = DiffusersSchedulerConfig.readSchedule(Parameters.of(Json.readObject(config)), PluginRegistry.load());
        assertEquals(schedule.alphaBar(999.0), last, 1e-15);
    }

    @Test
    void badInputIsOneClearLineAndExitCodeTwo() {
        Cli r = Cli.run("schedule", "--name", "linear", "--param", "beta_end=2");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: invalid schedule.beta_end = 2"), r.err());
        r = Cli.run("schedule", "--name", "cosinus");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("known schedules: betas, cosine, linear"), r.err());
    }

    @Test
    void pluginsListsSchedulesAndTheJavaBackend() {
        Cli r = Cli.run("plugins");
        assertEquals(0, r.exitCode());
        for (String name : new String[] {"cosine", "linear", "scaled-linear", "quadratic", "sigmoid", "betas", "vp", "java", "gmm",
                "ddpm", "ddim", "pndm", "plms", "dpmsolver-multistep", "dpmsolver-singlestep", "unipc", "euler", "euler-ancestral", "heun",
                "lms", "sde-euler-maruyama", "pc", "annealed-langevin", "ode"}) {
            assertTrue(r.out().contains("  " + name + " "), "plugins lists " + name + ":\n" + r.out());
        }
    }
}
