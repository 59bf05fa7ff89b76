package org.ddpm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

import org.junit.jupiter.api.Test;

/** What a newcomer sees: help with whole example lines, and a short error for a wrong command line. */
class HelpAndErrorsTest {

    /** Every command's path ({@code sample}, {@code bench backend}, ...) and its command line. */
    private static Map<String, CommandLine> commands() {
        Map<String, CommandLine> all = new java.util.LinkedHashMap<>();
        collect(Ddpm.commandLine(), "", all);
        return all;
    }

    private static void collect(CommandLine cl, String path, Map<String, CommandLine> all) {
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                String p = (path + " " + name).strip();
                all.put(p, sub);
                collect(sub, p, all);
            }
        });
    }

    @Test
    void exampleLinesInHelpAreNeverWrapped() {
        int examples = 0;
        for (Map.Entry<String, CommandLine> c : commands().entrySet()) {
            Cli r = Cli.run((c.getKey() + " --help").split(" "));
            assertEquals(0, r.exitCode(), c.getKey());
            List<String> printed = r.out().lines().toList();
            for (String line : c.getValue().getCommandSpec().usageMessage().footer()) {
                if (line.startsWith("  ddpm ")) {
                    examples++;
                    assertTrue(printed.contains(line), "'ddpm " + c.getKey() + " --help' prints the example whole: " + line + "\n" + r.out());
                }
            }
        }
        assertTrue(examples > 20, "examples seen: " + examples);
    }

    @Test
    void proseInTheFooterIsWrappedToTheUsageWidth() {
        List<String> lines = HelpLayout.wrap("a b " + "c".repeat(90) + " d e", 10);
        assertEquals(List.of("a b", "c".repeat(90), "d e"), lines);
    }

    @Test
    void aMissingOptionIsItsErrorAndAPointerToHelp() {
        Cli r = Cli.run("train", "--dataset", "moons");
        assertEquals(2, r.exitCode());
        assertEquals(List.of("error: Missing required option: '--out=<out>'", "Run 'ddpm train --help' for the options and examples."),
                r.err().lines().toList());
        r = Cli.run("sample", "--n", "3");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().lines().count() <= 3 && r.err().contains("Run 'ddpm sample --help'"), r.err());
        r = Cli.run("bench", "backend", "--nope");
        assertTrue(r.err().contains("Unknown option: '--nope'") && r.err().contains("Run 'ddpm bench backend --help'"), r.err());
    }

    @Test
    void aMemoryRunTooShortForItsBaselineIsRefusedBeforeMeasuring() {
        Cli r = Cli.run("bench", "backend", "--what", "memory", "--memory-steps", "500");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: invalid --memory-steps = 500: must be a multiple of 50 and at least 2000"), r.err());
        assertTrue(!r.out().contains("Infinity") && !r.err().contains("Infinity"), r.out());
    }

    @Test
    void everyThreadsOptionStatesItsDefault() {
        List<String> without = new ArrayList<>();
        commands().forEach((path, cl) -> {
            CommandLine.Model.OptionSpec threads = cl.getCommandSpec().findOption("--threads");
            if (threads != null && !String.join(" ", threads.description()).contains("default " + DeviceOptions.DEFAULT_THREADS)) {
                without.add(path);
            }
        });
        assertEquals(List.of(), without);
        assertTrue(Arrays.stream(new String[] {"train", "sample", "edit", "eval", "demo"}).allMatch(c -> commands().get(c).getCommandSpec()
                .findOption("--threads") != null));
    }
}
