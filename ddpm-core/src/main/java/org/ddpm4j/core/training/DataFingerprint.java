package org.ddpm4j.core.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.toolkit.io.ContentHash;

/**
 * What identifies a training set, for the model card: the SHA-256 of its values (float32,
 * little-endian, sample by sample) and of its labels, its shape {@code [n, ...]} and number of
 * classes. Two sets with the same fingerprint are the same data, whatever file or generator they
 * came from; a resumed run must see the same fingerprint as the run it continues.
 */
public final class DataFingerprint {
    /** The key of the fingerprint in a model card's {@code data}. */
    public static final String KEY = "fingerprint";

    private DataFingerprint() {
    }

    public static Map<String, Object> of(TrainingData data) {
        MessageDigest digest = ContentHash.sha256();
        int d = data.sampleSize();
        float[] sample = new float[d];
        ByteBuffer bytes = ByteBuffer.allocate(d * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.size(); i++) {
            data.copySample(i, sample, 0);
            bytes.clear();
            bytes.asFloatBuffer().put(sample);
            digest.update(bytes.array());
        }
        if (data.numClasses() > 0) {
            ByteBuffer label = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.size(); i++) {
                digest.update(label.clear().putInt(data.label(i)).array());
            }
        }
        List<Integer> shape = new ArrayList<>();
        shape.add(data.size());
        for (int s : data.sampleShape()) {
            shape.add(s);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha256", ContentHash.hex(digest));
        m.put("shape", shape);
        m.put("classes", data.numClasses());
        return m;
    }
}
