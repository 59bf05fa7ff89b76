package com.example.ddpm;

import org.ddpm4j.api.plugin.Plugin;
import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.backend.java.JavaBackend;
import org.ddpm4j.testkit.PluginContracts;

/** Every factory of the plugin passes the testkit's contract of its kind: the same contracts as the built-in plugins. */
class ExamplePluginContractsTest extends PluginContracts {

    @Override
    protected Plugin plugin() {
        return new ExamplePlugin();
    }

    @Override
    protected TensorBackend backend() {
        return new JavaBackend();
    }
}
