package org.ddpm4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;
import org.ddpm4j.api.Parameters;
import org.ddpm4j.api.model.Parameterization;
import org.ddpm4j.api.tensor.HostArray;
import org.ddpm4j.api.training.DiffusersUNetConfig;
import org.ddpm4j.api.training.NetworkBackend;
import org.ddpm4j.api.training.NetworkSpec;
import org.ddpm4j.toolkit.io.Json;
import org.ddpm4j.toolkit.io.Safetensors;
import org.ddpm4j.testkit.DiffusersUNetFixtures;
import org.ddpm4j.testkit.DirectorySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every defect of a diffusers folder is found before a backend is asked for anything, and changes nothing on disk. */
class PretrainedTest {
    /** A backend that must not be reached: every check comes first. */
    private static final NetworkBackend UNREACHED = (NetworkBackend) Proxy.newProxyInstance(PretrainedTest.class.getClassLoader(),
            new Class<?>[] {NetworkBackend.class}, (proxy, method, args) -> {
                throw new AssertionError("the backend was reached: " + method.getName());
            });

    @TempDir
    Path dir;

    private String fails(Path folder) {
        DirectorySnapshot before = DirectorySnapshot.of(dir);
        String message = assertThrows(InvalidParameterException.class, () -> Pretrained.load(folder, UNREACHED)).getMessage();
        before.assertUnchanged();
        return message;
    }

    private Path unet(Path folder) {
        return folder.resolve("unet");
    }

    @Test
    void aFolderWithoutAConfigOrWeightsIsNamed() throws IOException {
        Path folder = DiffusersUNetFixtures.copy("attn", dir);
        Files.delete(unet(folder).resolve(Pretrained.WEIGHTS));
        assertTrue(fails(folder).contains("has no diffusion_pytorch_model.safetensors"));
        Files.writeString(unet(folder).resolve("diffusion_pytorch_model.bin"), "pickle");
        assertTrue(fails(folder).contains("convert it to safetensors"));
        Files.delete(unet(folder).resolve("config.json"));
        assertTrue(fails(folder).contains("has neither unet/config.json nor config.json"));
        assertTrue(fails(folder.resolve("missing")).contains("is not a directory"));
    }

    @Test
    void aTruncatedWeightsFileIsRefused() throws IOException {
        Path folder = DiffusersUNetFixtures.copy("cifar-flat", dir);
        Path weights = folder.resolve(Pretrained.WEIGHTS);
        byte[] all = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(all, all.length - 100));
        assertTrue(fails(folder).contains("truncated"));
    }

    @Test
    void missingExtraAndMisshapenParametersAreListed() {
        Path folder = DiffusersUNetFixtures.copy("attn", dir);
        Path weights = unet(folder).resolve(Pretrained.WEIGHTS);
        Map<String, HostArray> w = new LinkedHashMap<>(Safetensors.read(weights));
        w.remove("conv_in.bias");
        w.remove("mid_block.attentions.0.to_k.weight");
        w.put("extra.weight", HostArray.scalar(1));
        w.put("conv_out.bias", new HostArray(new int[] {4}, new float[4]));
        Safetensors.write(weights, w, null);
        String m = fails(folder);
        assertTrue(m.contains("missing 2 parameters [conv_in.bias, mid_block.attentions.0.to_k.weight]"), m);
        assertTrue(m.contains("unexpected 1 parameters [extra.weight]"), m);
        assertTrue(m.contains("wrong shapes [conv_out.bias [4] (expected [3])]"), m);
    }

    @Test
    void unknownBlockTypesAndUnsupportedValuesAreNamed() {
        Path folder = DiffusersUNetFixtures.copy("attn", dir);
        Path config = unet(folder).resolve("config.json");
        Map<String, Object> c = Json.readObject(config);
        c.put("down_block_types", java.util.List.of("DownBlock2D", "CrossAttnDownBlock2D"));
        Json.write(c, config);
        assertTrue(fails(folder).contains("down_block_types[1] = 'CrossAttnDownBlock2D': unsupported block type"));
        c = Json.readObject(config);
        c.put("down_block_types", java.util.List.of("DownBlock2D", "AttnDownBlock2D"));
        c.put("time_embedding_type", "fourier");
        Json.write(c, config);
        assertTrue(fails(folder).contains("time_embedding_type = 'fourier': only positional is supported"));
        c.put("time_embedding_type", "positional");
        c.put("_class_name", "UNet2DConditionModel");
        Json.write(c, config);
        assertTrue(fails(folder).contains("only UNet2DModel is supported"));
    }

    @Test
    void legacyAttentionNamesAreRenamedAsDiffusersDoes() {
        assertEquals("down_blocks.1.attentions.0.to_q.weight", DiffusersUNetConfig.modernName("down_blocks.1.attentions.0.query.weight"));
        assertEquals("mid_block.attentions.0.to_out.0.bias", DiffusersUNetConfig.modernName("mid_block.attentions.0.proj_attn.bias"));
        assertEquals("mid_block.attentions.0.to_v.bias", DiffusersUNetConfig.modernName("mid_block.attentions.0.value.bias"));
        assertEquals("down_blocks.1.resnets.0.key.weight", DiffusersUNetConfig.modernName("down_blocks.1.resnets.0.key.weight"));
        assertEquals("mid_block.attentions.0.to_k.weight", DiffusersUNetConfig.modernName("mid_block.attentions.0.to_k.weight"));
    }

    @Test
    void defaultsAreDiffusersAndTheCifarConfigReadsAsPublished() {
        NetworkSpec empty = new NetworkSpec(DiffusersUNetConfig.ARCHITECTURE, new int[] {3, 64, 64}, 0, Parameterization.EPSILON, Parameters.empty());
        DiffusersUNetConfig d = DiffusersUNetConfig.of(empty);
        assertEquals(0, d.freqShift());
        assertTrue(d.flipSinToCos());
        assertEquals(1, d.downsamplePadding());
        assertEquals(1e-5, d.eps());
        assertEquals(8, d.headDim(224));
        Path folder = DiffusersUNetFixtures.copy("cifar-flat", dir);
        NetworkSpec spec = Pretrained.spec(Json.readObject(folder.resolve("config.json")), folder, Parameterization.EPSILON);
        DiffusersUNetConfig c = DiffusersUNetConfig.of(spec);
        assertEquals(1, c.freqShift());
        assertTrue(!c.flipSinToCos());
        assertEquals(0, c.downsamplePadding());
        assertEquals(1e-6, c.eps());
        assertEquals(8, c.headDim(8), "attention_head_dim null: one head of all channels");
        assertEquals(18399, c.parameterCount());
    }
}
