package org.ddpm4j.examples.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Benchmarks; each subcommand prints a table. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print tables (see docs/BENCHMARKS.md).",
        subcommands = {BenchSamplersCommand.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
