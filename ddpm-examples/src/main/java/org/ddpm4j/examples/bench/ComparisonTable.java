package org.ddpm4j.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Markdown table with one row per measurement and one column per backend, filled in any order. */
public final class ComparisonTable {
    private final List<String> columns = new ArrayList<>();
    private final Map<String, Map<String, String>> rows = new LinkedHashMap<>();

    public void put(String row, String column, String cell) {
        if (!columns.contains(column)) {
            columns.add(column);
        }
        rows.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, cell);
    }

    /** The table; a measurement a backend did not make reads "-". */
    public String toMarkdown() {
        StringBuilder s = new StringBuilder("| measurement |");
        columns.forEach(c -> s.append(' ').append(c).append(" |"));
        s.append("\n|---|");
        columns.forEach(c -> s.append("---|"));
        rows.forEach((row, cells) -> {
            s.append("\n| ").append(row).append(" |");
            columns.forEach(c -> s.append(' ').append(cells.getOrDefault(c, "-")).append(" |"));
        });
        return s.append('\n').toString();
    }
}
