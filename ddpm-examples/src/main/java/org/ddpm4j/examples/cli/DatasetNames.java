package org.ddpm4j.examples.cli;

import java.util.Iterator;
import org.ddpm4j.examples.data.Datasets;

/** The built-in dataset names, offered as completion candidates by the commands that take {@code --dataset}. */
final class DatasetNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Datasets.names().iterator();
    }
}
