package org.ddpm4j.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.tensor.GaussianNoise;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.toolkit.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our safetensors reader and writer agree with DJL's own decoder and encoder (NDList.decode / encode). */
class SafetensorsCrossCheckTest {

    @Test
    void djlDecodesWhatWeWrite(@TempDir Path dir) throws Exception {
        GaussianNoise noise = new GaussianNoise(5);
        Map<String, HostArray> m = new LinkedHashMap<>();
        m.put("conv.weight", new HostArray(new int[] {4, 3, 3, 3}, noise.nextFloats(108)));
        m.put("conv.bias", new HostArray(new int[] {4}, noise.nextFloats(4)));
        m.put("scalar", HostArray.scalar(2.5f));
        Path f = dir.resolve("ours.safetensors");
        Safetensors.write(f, m, Map.of("format", "pt"));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList list = NDList.decode(manager, Files.readAllBytes(f));
            assertEquals(m.size(), list.size());
            for (NDArray a : list) {
                HostArray want = m.get(a.getName());
                assertArrayEquals(want.shape(), java.util.Arrays.stream(a.getShape().getShape()).mapToInt(v -> (int) v).toArray(), a.getName());
                assertArrayEquals(want.data(), a.toFloatArray(), a.getName());
            }
        }
    }

    @Test
    void weReadWhatDjlWritesInF32F64AndF16(@TempDir Path dir) throws Exception {
        float[] values = {0.1f, -2.5f, 3.75f, 1e-3f, -65504f, 0f};
        Path f = dir.resolve("djl.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray base = manager.create(values, new Shape(2, 3));
            NDList list = new NDList();
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16}) {
                NDArray a = base.toType(type, false);
                a.setName(type.name());
                list.add(a);
            }
            Files.write(f, list.encode(NDList.Encoding.SAFETENSORS));
            Safetensors st = Safetensors.open(f);
            for (NDArray a : list) {
                assertArrayEquals(a.toType(DataType.FLOAT32, false).toFloatArray(), st.read(a.getName()).data(), a.getName());
            }
        }
    }
}
