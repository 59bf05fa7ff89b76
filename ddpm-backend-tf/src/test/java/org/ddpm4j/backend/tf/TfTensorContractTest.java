package org.ddpm4j.backend.tf;

import org.ddpm4j.api.tensor.TensorBackend;
import org.ddpm4j.testkit.TensorBackendContract;

/** The tensor contract of the testkit, on TensorFlow. */
class TfTensorContractTest extends TensorBackendContract {

    @Override
    protected TensorBackend createBackend() {
        return new TfBackend();
    }
}
