package org.ddpm4j.backend.tf;

import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.testkit.NetworkBackendContract;

/** The network contract of the testkit (classifier features, EMA), on TensorFlow. */
class TfNetworkContractTest extends NetworkBackendContract {

    @Override
    protected TensorBackend createBackend() {
        return new TfBackend();
    }
}
