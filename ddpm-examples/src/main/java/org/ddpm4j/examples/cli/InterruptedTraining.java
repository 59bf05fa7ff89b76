package org.ddpm4j.examples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code ddpm train} prints when it is stopped (Ctrl-C, SIGTERM) before it is done: where the
 * last checkpoint is, and the command that continues from it.
 */
final class InterruptedTraining {
    /** Arguments a POSIX shell takes literally. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,+@%-]+");

    private InterruptedTraining() {
    }

    /**
     * The lines to print.
     *
     * @param checkpoint the newest complete checkpoint, if any
     * @param args       the command line after {@code ddpm} ({@code train ...})
     */
    static String message(Optional<Path> checkpoint, List<String> args) {
        String resume = "./ddpm " + args.stream().map(InterruptedTraining::quoted).collect(Collectors.joining(" "))
                + (args.contains("--resume") ? "" : " --resume");
        return checkpoint.map(dir -> "interrupted: the last checkpoint is " + dir + System.lineSeparator()
                        + "continue with: " + resume)
                .orElse("interrupted before the first checkpoint; nothing to resume from (start again with the same command)");
    }

    /** {@code arg} as a shell word. */
    static String quoted(String arg) {
        return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
