package org.ddpm4j.core.plugin;

import java.util.Collection;
import org.ddpm4j.api.InvalidParameterException;

/** A configuration names a plugin that is not on the class path; the message lists the known ones. */
public final class UnknownPluginException extends InvalidParameterException {
    private static final long serialVersionUID = 1L;

    public UnknownPluginException(PluginKind kind, String name, Collection<String> known) {
        super(kind.singular(), name, "unknown " + kind.singular() + "; known " + kind.plural() + ": "
                + (known.isEmpty() ? "none (is the plugin jar on the class path?)" : String.join(", ", known)));
    }
}
