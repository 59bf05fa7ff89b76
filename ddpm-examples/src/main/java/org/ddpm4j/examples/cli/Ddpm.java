package org.ddpm4j.examples.cli;

import java.io.PrintWriter;
import org.ddpm4j.api.InvalidParameterException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ddpm} command line: train, sample, evaluate and inspect diffusion models. */
@Command(name = "ddpm", mixinStandardHelpOptions = true, version = "ddpm4j 0.1.0-SNAPSHOT",
        description = "Denoising diffusion probabilistic models on the JVM.",
        subcommands = {DemoCommand.class, PluginsCommand.class, ScheduleCommand.class, TrainCommand.class, SampleCommand.class,
                EvalCommand.class, EditCommand.class, ExportCommand.class, BenchCommand.class, TuneStepsCommand.class, DistillCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Run 'ddpm COMMAND --help' for the options and examples of a command."})
public final class Ddpm implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The picocli command line with the project's error handling: known errors as one line, exit code 2;
     * a wrong or missing option as its error and a pointer to {@code --help} (not the whole usage).
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Ddpm());
        HelpLayout.install(cl);
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options and examples.");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            PrintWriter err = commandLine.getErr();
            if (cause instanceof InvalidParameterException || cause instanceof IllegalArgumentException
                    || cause instanceof IllegalStateException || cause instanceof UnsupportedOperationException
                    || cause instanceof java.io.UncheckedIOException || cause instanceof ArithmeticException) {
                err.println("error: " + cause.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }
}
