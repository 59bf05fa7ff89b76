package org.ddpm4j.backend.djl;

import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.testkit.NetworkBackendContract;

/** The network contract of the testkit (classifier features, EMA), on DJL. */
class DjlNetworkContractTest extends NetworkBackendContract {

    @Override
    protected TensorBackend createBackend() {
        return new DjlBackend("cpu");
    }
}
