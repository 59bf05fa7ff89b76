package org.ddpm4j.guidance;

import java.util.List;
import org.ddpm4j.api.plugin.GuidanceFactory;
import org.ddpm4j.api.plugin.Plugin;

/** The guidance methods of this module. */
public final class GuidancePlugin implements Plugin {

    @Override
    public List<GuidanceFactory> guidances() {
        return List.of(
                GuidanceFactory.of(ClassifierFreeGuidance.NAME,
                        "classifier-free: eps(x,null) + w (eps(x,y) - eps(x,null)), one batched pass (Ho & Salimans 2022); "
                                + "scale, scale_end, interval, guidance_rescale, thresholding", ClassifierFreeGuidance::new),
                GuidanceFactory.of(ClassifierGuidance.NAME,
                        "classifier: eps - s sqrt(1 - alphaBar) grad log p(y | x_t) (Dhariwal & Nichol 2021); "
                                + "scale, scale_end, interval, form = epsilon | mean_shift, thresholding", ClassifierGuidance::new));
    }
}
