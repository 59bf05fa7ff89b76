package org.ddpm4j.examples.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The footers of {@code --help}: prose is wrapped to the usage width, but example lines (those
 * indented by two spaces) are printed whole, so that a command can be copied and pasted.
 */
final class HelpLayout {
    private HelpLayout() {
    }

    /** Installs the footer layout on {@code commandLine} and all its subcommands. */
    static void install(CommandLine commandLine) {
        commandLine.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_FOOTER,
                help -> footer(help.commandSpec().usageMessage().footer(), help.commandSpec().usageMessage().width()));
        commandLine.getSubcommands().values().forEach(HelpLayout::install);
    }

    static String footer(String[] lines, int width) {
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            for (String l : line.startsWith("  ") ? List.of(line) : wrap(line, width)) {
                b.append(l).append(System.lineSeparator());
            }
        }
        return b.toString();
    }

    /** {@code text} broken at spaces into lines of at most {@code width} characters (a longer word stays whole). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
