"""Writes the full-loop fixtures of ddpm-samplers by running diffusers' own schedulers.

Every case is one of diffusers' tests/schedulers full-loop tests (the dummy model
``sample * t / (t + 1)`` on ``dummy_sample_deter``), run here with diffusers' scheduler code, not a
re-implementation. For each case the fixture records:

* ``calls``: every timestep the model was called with, in order (from the float64 run: fractional
  times of the sigma-space family without float32 rounding);
* ``float32``: |x| sum and mean of the final sample, diffusers as shipped (float32);
* ``float64``: the same run with every float32 in torch and numpy replaced by float64, so that our
  double-precision samplers can be compared far below float32 rounding;
* ``published``: the expected values written in diffusers' test, where it publishes them.

Two loops are recorded. ``pipeline`` is how diffusers' pipelines call a scheduler
(``step(model(scale_model_input(x, t), t), t, x)``). ``test`` is the loop of diffusers' sigma-space
tests, which pass the *scaled* sample to ``step``; their published values need it. (Heun's
v-prediction test is left out: its second evaluation reads the scaled intermediate as the sample,
which no sampler can be made to do from outside.)

Stochastic cases (DDPM, DDIM with eta > 0, Euler ancestral) get, at step k, exactly the noise a
ddpm4j sampler with seed ``seed`` draws at step k (java_noise.py), so they compare step by step.
The seeded-torch versions of those tests are re-run to check this harness against their published
values.

    PYTHONPATH=tools/diffusers-reference:/path/to/diffusers/src /usr/bin/python3 \
        tools/diffusers-reference/generate_sampler_fixtures.py ddpm-samplers/src/test/resources/diffusers/full_loops.json
"""
import json
import subprocess
import sys

FLOAT64 = len(sys.argv) > 2 and sys.argv[2] == "--float64"

import numpy as np  # noqa: E402
import torch  # noqa: E402

if FLOAT64:
    # diffusers hard-codes float32 for its tables and upcasts; redirect the names to float64.
    torch.set_default_dtype(torch.float64)
    torch.float32 = torch.float64
    np.float32 = np.float64

import diffusers_offline  # noqa: E402,F401  (must come before diffusers)
import scipy_quad_stub  # noqa: E402,F401  (LMSDiscreteScheduler integrates with scipy)
import diffusers  # noqa: E402
from diffusers import (DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler,  # noqa: E402
                       DPMSolverSinglestepScheduler, EulerAncestralDiscreteScheduler,
                       EulerDiscreteScheduler, HeunDiscreteScheduler, PNDMScheduler,
                       UniPCMultistepScheduler)
from diffusers.schedulers.scheduling_lms_discrete import LMSDiscreteScheduler  # noqa: E402

from diffusers.utils.torch_utils import randn_tensor  # noqa: E402

from generate_schedule_tables import source_commit  # noqa: E402
from java_noise import step_noise  # noqa: E402

CLASSES = {c.__name__: c for c in [DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler,
                                   DPMSolverSinglestepScheduler, EulerAncestralDiscreteScheduler,
                                   EulerDiscreteScheduler, HeunDiscreteScheduler, LMSDiscreteScheduler,
                                   PNDMScheduler, UniPCMultistepScheduler]}
SEED = 1234

LINEAR = {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear"}
LINEAR_1100 = dict(LINEAR, num_train_timesteps=1100)
DDPM = dict(LINEAR, variance_type="fixed_small", clip_sample=True)
DDIM = dict(LINEAR, clip_sample=True)
DPM = dict(LINEAR, solver_order=2, prediction_type="epsilon", thresholding=False, sample_max_value=1.0,
           algorithm_type="dpmsolver++", solver_type="midpoint", lower_order_final=False, euler_at_final=False,
           lambda_min_clipped=-float("inf"), variance_type=None, final_sigmas_type="sigma_min")
DPM_SINGLE = {k: v for k, v in DPM.items() if k not in ("lower_order_final", "euler_at_final")}
UNIPC = dict(LINEAR, solver_order=2, solver_type="bh2", final_sigmas_type="sigma_min")


def case(name, cls, config, steps, published=None, loop="pipeline", t_start=None, eta=None, stochastic=False):
    return dict(name=name, scheduler=cls, config=config, steps=steps, published=published, loop=loop,
                t_start=t_start, eta=eta, stochastic=stochastic)


def pub(test, total, mean):
    return {"test": test, "sum_abs": total, "mean_abs": mean}


CASES = [
    # DDPM: seeded in diffusers' tests, so compared here with ddpm4j's noise.
    case("ddpm", "DDPMScheduler", DDPM, 1000, stochastic=True),
    case("ddpm_v_prediction", "DDPMScheduler", dict(DDPM, prediction_type="v_prediction"), 1000, stochastic=True),
    case("ddpm_with_noise", "DDPMScheduler", DDPM, 1000, t_start=998, stochastic=True),
    case("ddpm_fixed_large_trailing_10", "DDPMScheduler", dict(DDPM, variance_type="fixed_large", timestep_spacing="trailing"),
         10, stochastic=True),
    case("ddpm_sample_prediction_thresholding_offset_25", "DDPMScheduler",
         dict(DDPM, prediction_type="sample", thresholding=True, dynamic_thresholding_ratio=0.9, sample_max_value=2.0,
              steps_offset=1), 25, stochastic=True),
    # DDIM
    case("ddim", "DDIMScheduler", DDIM, 10, pub("test_scheduler_ddim.py::test_full_loop_no_noise", 172.0067, 0.223967)),
    case("ddim_v_prediction", "DDIMScheduler", dict(DDIM, prediction_type="v_prediction"), 10,
         pub("test_scheduler_ddim.py::test_full_loop_with_v_prediction", 52.5302, 0.0684)),
    case("ddim_set_alpha_to_one", "DDIMScheduler", dict(DDIM, set_alpha_to_one=True, beta_start=0.01), 10,
         pub("test_scheduler_ddim.py::test_full_loop_with_set_alpha_to_one", 149.8295, 0.1951)),
    case("ddim_no_set_alpha_to_one", "DDIMScheduler", dict(DDIM, set_alpha_to_one=False, beta_start=0.01), 10,
         pub("test_scheduler_ddim.py::test_full_loop_with_no_set_alpha_to_one", 149.0784, 0.1941)),
    case("ddim_with_noise", "DDIMScheduler", DDIM, 10,
         pub("test_scheduler_ddim.py::test_full_loop_with_noise", 354.5418, 0.4616), t_start=8),
    case("ddim_eta_trailing_offset", "DDIMScheduler",
         dict(DDIM, clip_sample=False, timestep_spacing="trailing", steps_offset=1), 20, eta=0.5, stochastic=True),
    case("ddim_linspace_thresholding", "DDIMScheduler",
         dict(DDIM, timestep_spacing="linspace", thresholding=True, sample_max_value=1.5), 15),
    case("ddim_leading_offset_cosine", "DDIMScheduler",
         dict(DDIM, beta_schedule="squaredcos_cap_v2", steps_offset=1, clip_sample_range=0.5), 12),
    # PNDM
    case("pndm", "PNDMScheduler", LINEAR, 10, pub("test_scheduler_pndm.py::test_full_loop_no_noise", 198.1318, 0.2580)),
    case("pndm_v_prediction", "PNDMScheduler", dict(LINEAR, prediction_type="v_prediction"), 10,
         pub("test_scheduler_pndm.py::test_full_loop_with_v_prediction", 67.3986, 0.0878)),
    case("pndm_set_alpha_to_one", "PNDMScheduler", dict(LINEAR, set_alpha_to_one=True, beta_start=0.01), 10,
         pub("test_scheduler_pndm.py::test_full_loop_with_set_alpha_to_one", 230.0399, 0.2995)),
    case("pndm_no_set_alpha_to_one", "PNDMScheduler", dict(LINEAR, set_alpha_to_one=False, beta_start=0.01), 10,
         pub("test_scheduler_pndm.py::test_full_loop_with_no_set_alpha_to_one", 186.9482, 0.2434)),
    case("plms_trailing", "PNDMScheduler", dict(LINEAR, skip_prk_steps=True, timestep_spacing="trailing"), 12),
    case("pndm_linspace_offset", "PNDMScheduler", dict(LINEAR, timestep_spacing="linspace", steps_offset=1), 20),
    # DPM-Solver multistep
    case("dpm_multistep", "DPMSolverMultistepScheduler", DPM, 10,
         pub("test_scheduler_dpm_multi.py::test_full_loop_no_noise", None, 0.3301)),
    case("dpm_multistep_with_noise", "DPMSolverMultistepScheduler", DPM, 10,
         pub("test_scheduler_dpm_multi.py::test_full_loop_with_noise", 318.4111, 0.4146), t_start=5),
    case("dpm_multistep_thresholding", "DPMSolverMultistepScheduler",
         dict(DPM, thresholding=True, dynamic_thresholding_ratio=0.87, sample_max_value=0.5), 10,
         pub("test_scheduler_dpm_multi.py::test_full_loop_no_noise_thres", None, 1.1364)),
    case("dpm_multistep_v_prediction", "DPMSolverMultistepScheduler", dict(DPM, prediction_type="v_prediction"), 10,
         pub("test_scheduler_dpm_multi.py::test_full_loop_with_v_prediction", None, 0.2251)),
    case("dpm_multistep_karras_v_prediction", "DPMSolverMultistepScheduler",
         dict(DPM, prediction_type="v_prediction", use_karras_sigmas=True), 10,
         pub("test_scheduler_dpm_multi.py::test_full_loop_with_karras_and_v_prediction", None, 0.2096)),
    case("dpm_multistep_lu_v_prediction", "DPMSolverMultistepScheduler",
         dict(DPM, prediction_type="v_prediction", use_lu_lambdas=True), 10,
         pub("test_scheduler_dpm_multi.py::test_full_loop_with_lu_and_v_prediction", None, 0.1554)),
    case("dpm_multistep_order3_heun_zero", "DPMSolverMultistepScheduler",
         dict(DPM, solver_order=3, solver_type="heun", final_sigmas_type="zero", lower_order_final=True), 12),
    case("dpmsolver_order3_midpoint", "DPMSolverMultistepScheduler",
         dict(DPM, solver_order=3, algorithm_type="dpmsolver", thresholding=True, sample_max_value=1.2), 8),
    case("dpmsolver_order2_heun_sample_trailing", "DPMSolverMultistepScheduler",
         dict(DPM, algorithm_type="dpmsolver", solver_type="heun", prediction_type="sample", timestep_spacing="trailing"), 9),
    case("dpm_multistep_scaled_linear_karras_order3", "DPMSolverMultistepScheduler",
         dict(DPM, beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, use_karras_sigmas=True, final_sigmas_type="zero",
              solver_order=3), 15),
    case("dpm_multistep_leading_cosine", "DPMSolverMultistepScheduler",
         dict(DPM, beta_schedule="squaredcos_cap_v2", timestep_spacing="leading", steps_offset=1), 15),
    # DPM-Solver singlestep
    case("dpm_singlestep", "DPMSolverSinglestepScheduler", DPM_SINGLE, 10,
         pub("test_scheduler_dpm_single.py::test_full_loop_no_noise", None, 0.2791)),
    case("dpm_singlestep_karras", "DPMSolverSinglestepScheduler", dict(DPM_SINGLE, use_karras_sigmas=True), 10,
         pub("test_scheduler_dpm_single.py::test_full_loop_with_karras", None, 0.2248)),
    case("dpm_singlestep_v_prediction", "DPMSolverSinglestepScheduler", dict(DPM_SINGLE, prediction_type="v_prediction"), 10,
         pub("test_scheduler_dpm_single.py::test_full_loop_with_v_prediction", None, 0.1453)),
    case("dpm_singlestep_karras_v_prediction", "DPMSolverSinglestepScheduler",
         dict(DPM_SINGLE, prediction_type="v_prediction", use_karras_sigmas=True), 10,
         pub("test_scheduler_dpm_single.py::test_full_loop_with_karras_and_v_prediction", None, 0.0649)),
    case("dpm_singlestep_with_noise", "DPMSolverSinglestepScheduler", DPM_SINGLE, 10,
         pub("test_scheduler_dpm_single.py::test_full_loop_with_noise", 269.2187, 0.3505), t_start=5),
    case("dpm_singlestep_order3", "DPMSolverSinglestepScheduler", dict(DPM_SINGLE, solver_order=3), 12),
    case("dpm_singlestep_order3_heun_lower_final_zero", "DPMSolverSinglestepScheduler",
         dict(DPM_SINGLE, solver_order=3, solver_type="heun", lower_order_final=True, final_sigmas_type="zero"), 10),
    case("dpmsolver_singlestep_order3", "DPMSolverSinglestepScheduler",
         dict(DPM_SINGLE, solver_order=3, algorithm_type="dpmsolver", prediction_type="v_prediction"), 9),
    # UniPC
    case("unipc", "UniPCMultistepScheduler", UNIPC, 10, pub("test_scheduler_unipc.py::test_full_loop_no_noise", None, 0.2464)),
    case("unipc_karras", "UniPCMultistepScheduler", dict(UNIPC, use_karras_sigmas=True), 10,
         pub("test_scheduler_unipc.py::test_full_loop_with_karras", None, 0.2925)),
    case("unipc_v_prediction", "UniPCMultistepScheduler", dict(UNIPC, prediction_type="v_prediction"), 10,
         pub("test_scheduler_unipc.py::test_full_loop_with_v_prediction", None, 0.1014)),
    case("unipc_karras_v_prediction", "UniPCMultistepScheduler",
         dict(UNIPC, prediction_type="v_prediction", use_karras_sigmas=True), 10,
         pub("test_scheduler_unipc.py::test_full_loop_with_karras_and_v_prediction", None, 0.1966)),
    case("unipc_with_noise", "UniPCMultistepScheduler", UNIPC, 10,
         pub("test_scheduler_unipc.py::test_full_loop_with_noise", 315.5757, 0.4109), t_start=8),
    case("unipc_bh1_order3", "UniPCMultistepScheduler", dict(UNIPC, solver_type="bh1", solver_order=3), 12),
    case("unipc_bh2_order3_eps", "UniPCMultistepScheduler",
         dict(UNIPC, solver_order=3, predict_x0=False, lower_order_final=False), 11),
    case("unipc_order1_disable_corrector_trailing", "UniPCMultistepScheduler",
         dict(UNIPC, solver_order=1, disable_corrector=[0, 3], timestep_spacing="trailing", thresholding=True), 7),
    case("unipc_leading_karras_zero", "UniPCMultistepScheduler",
         dict(UNIPC, timestep_spacing="leading", steps_offset=1, use_karras_sigmas=True, final_sigmas_type="zero",
              solver_order=3), 14),
    # The sigma-space family, as pipelines call it ...
    case("euler", "EulerDiscreteScheduler", LINEAR_1100, 10),
    case("euler_karras_v_prediction", "EulerDiscreteScheduler", dict(LINEAR_1100, use_karras_sigmas=True,
                                                                      prediction_type="v_prediction"), 10),
    case("euler_leading_offset_sigma_min", "EulerDiscreteScheduler",
         dict(LINEAR, timestep_spacing="leading", steps_offset=1, final_sigmas_type="sigma_min", prediction_type="sample"), 13),
    case("euler_trailing_karras_sigma_range", "EulerDiscreteScheduler",
         dict(LINEAR, timestep_spacing="trailing", use_karras_sigmas=True, sigma_min=0.1, sigma_max=60.0), 11),
    case("euler_zero_snr_trailing", "EulerDiscreteScheduler",
         dict(LINEAR, timestep_spacing="trailing", rescale_betas_zero_snr=True, prediction_type="v_prediction"), 10),
    case("euler_ancestral", "EulerAncestralDiscreteScheduler", LINEAR_1100, 10, stochastic=True),
    case("euler_ancestral_v_prediction_leading", "EulerAncestralDiscreteScheduler",
         dict(LINEAR, prediction_type="v_prediction", timestep_spacing="leading", steps_offset=1), 15, stochastic=True),
    case("heun", "HeunDiscreteScheduler", LINEAR_1100, 10),
    case("heun_karras_v_prediction_clip", "HeunDiscreteScheduler",
         dict(LINEAR, use_karras_sigmas=True, prediction_type="v_prediction", clip_sample=True, clip_sample_range=2.0), 10),
    case("heun_trailing_sample", "HeunDiscreteScheduler", dict(LINEAR, timestep_spacing="trailing", prediction_type="sample"), 8),
    case("lms", "LMSDiscreteScheduler", LINEAR_1100, 10),
    case("lms_karras_v_prediction", "LMSDiscreteScheduler", dict(LINEAR, use_karras_sigmas=True,
                                                                 prediction_type="v_prediction"), 10),
    case("lms_leading_offset", "LMSDiscreteScheduler", dict(LINEAR, timestep_spacing="leading", steps_offset=1), 20),
    # ... and as diffusers' own tests call it (scaled sample passed to step), with their published values.
    case("euler_test_loop", "EulerDiscreteScheduler", LINEAR_1100, 10,
         pub("test_scheduler_euler.py::test_full_loop_no_noise", 10.0807, 0.0131), loop="test"),
    case("euler_test_loop_v_prediction", "EulerDiscreteScheduler", dict(LINEAR_1100, prediction_type="v_prediction"), 10,
         pub("test_scheduler_euler.py::test_full_loop_with_v_prediction", 0.0002, 2.2676e-06), loop="test"),
    case("euler_test_loop_karras", "EulerDiscreteScheduler", dict(LINEAR_1100, use_karras_sigmas=True), 10,
         pub("test_scheduler_euler.py::test_full_loop_device_karras_sigmas", 124.52299499511719, 0.16213932633399963),
         loop="test"),
    case("euler_test_loop_with_noise", "EulerDiscreteScheduler", LINEAR_1100, 10,
         pub("test_scheduler_euler.py::test_full_loop_with_noise", 57062.9297, 74.3007), loop="test", t_start=8),
    case("heun_test_loop", "HeunDiscreteScheduler", LINEAR_1100, 10,
         pub("test_scheduler_heun.py::test_full_loop_no_noise", 0.1233, 0.0002), loop="test"),
    case("heun_test_loop_karras", "HeunDiscreteScheduler", dict(LINEAR_1100, use_karras_sigmas=True), 10,
         pub("test_scheduler_heun.py::test_full_loop_device_karras_sigmas", 0.00015, 1.9869554535034695e-07), loop="test"),
    case("heun_test_loop_with_noise", "HeunDiscreteScheduler", LINEAR_1100, 10,
         pub("test_scheduler_heun.py::test_full_loop_with_noise", 75074.8906, 97.7538), loop="test", t_start=8),
    case("lms_test_loop", "LMSDiscreteScheduler", LINEAR_1100, 10,
         pub("test_scheduler_lms.py::test_full_loop_no_noise", 1006.388, 1.31), loop="test"),
    case("lms_test_loop_v_prediction", "LMSDiscreteScheduler", dict(LINEAR_1100, prediction_type="v_prediction"), 10,
         pub("test_scheduler_lms.py::test_full_loop_with_v_prediction", 0.0017, 2.2676e-06), loop="test"),
    case("lms_test_loop_karras", "LMSDiscreteScheduler", dict(LINEAR_1100, use_karras_sigmas=True), 10,
         pub("test_scheduler_lms.py::test_full_loop_device_karras_sigmas", 3812.9927, 4.9648), loop="test"),
    case("lms_test_loop_with_noise", "LMSDiscreteScheduler", LINEAR_1100, 10,
         pub("test_scheduler_lms.py::test_full_loop_with_noise", 27663.6895, 36.0204), loop="test", t_start=8),
]

# diffusers' seeded-torch versions of the stochastic tests: only to check this harness against their values.
SEEDED_CHECKS = [
    ("ddpm", 258.9606, 0.3372), ("ddpm_v_prediction", 202.0296, 0.2631), ("ddpm_with_noise", 387.9466, 0.5051),
    ("euler_ancestral_test_loop", 152.3192, 0.1983),
]


def dummy_sample(flip=False):
    """diffusers' dummy_sample_deter (flip=False) and dummy_noise_deter (flip=True): shape [4, 3, 8, 8]."""
    n = 4 * 3 * 8 * 8
    values = torch.arange(n)
    if flip:
        values = values.flip(-1)
    return (values.reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2).to(torch.get_default_dtype())


def run(spec, seeded_torch=False):
    scheduler = CLASSES[spec["scheduler"]](**spec["config"])
    scheduler.set_timesteps(spec["steps"])
    calls = []

    def model(sample, t):
        calls.append(float(t))
        t = t.reshape(-1, *(1,) * (sample.dim() - 1)).to(sample.dtype) if isinstance(t, torch.Tensor) else t
        return sample * t / (t + 1)

    sample = dummy_sample() * scheduler.init_noise_sigma
    timesteps = scheduler.timesteps
    start = spec["t_start"] or 0
    if spec["t_start"] is not None:
        timesteps = timesteps[spec["t_start"] * scheduler.order:]
        sample = scheduler.add_noise(sample, dummy_sample(flip=True), timesteps[:1])
    module = sys.modules[type(scheduler).__module__]
    generator = torch.manual_seed(0) if seeded_torch else None
    step = [start]
    module.randn_tensor = randn_tensor if seeded_torch else (
        lambda shape, **kw: torch.from_numpy(step_noise(SEED, step[0], tuple(shape))).to(kw.get("dtype") or torch.get_default_dtype()))
    kwargs = {} if spec["eta"] is None else {"eta": spec["eta"]}
    if spec["scheduler"] in ("DDPMScheduler", "DDIMScheduler", "EulerAncestralDiscreteScheduler", "EulerDiscreteScheduler"):
        kwargs["generator"] = generator
    for t in timesteps:
        if spec["loop"] == "test":
            sample = scheduler.scale_model_input(sample, t)
            output = model(sample, t)
        else:
            output = model(scheduler.scale_model_input(sample, t), t)
        sample = scheduler.step(output, t, sample, **kwargs).prev_sample
        step[0] += 1  # (only the stochastic cases draw noise; each of their calls is one ddpm4j step)
    a = sample.abs()
    return {"sum_abs": float(a.sum()), "mean_abs": float(a.mean()), "sum_sq": float((sample * sample).sum())}, calls, \
        float(scheduler.init_noise_sigma)


def main(out_file):
    if FLOAT64:
        results = {}
        for spec in CASES:
            result, calls, init_sigma = run(spec)
            results[spec["name"]] = dict(result, calls=calls, init_noise_sigma=init_sigma)
        print(json.dumps(results))
        return
    float64 = json.loads(subprocess.check_output([sys.executable, __file__, out_file, "--float64"], text=True))
    cases = []
    for spec in CASES:
        float32, calls32, _ = run(spec)
        calls = float64[spec["name"]].pop("calls")
        init_sigma = float64[spec["name"]].pop("init_noise_sigma")
        if len(calls) != len(calls32) or max(abs(a - b) for a, b in zip(calls, calls32)) > 1e-2:
            raise SystemExit("%s: the model times differ between float32 and float64" % spec["name"])
        published = spec["published"]
        if published is not None:
            check(spec["name"], float32, published)
        entry = {
            "name": spec["name"],
            "config": dict({"_class_name": spec["scheduler"]}, **spec["config"]),
            "steps": spec["steps"],
            "loop": spec["loop"],
            "t_start": spec["t_start"],
            "eta": spec["eta"],
            "seed": SEED if spec["stochastic"] else None,
            "init_noise_sigma": init_sigma,
            "calls": calls,
            "float32": float32,
            "float64": float64[spec["name"]],
            "published": published,
        }
        cases.append(entry)
        print("%-48s calls %4d  float32 %.7g  float64 %.12g" % (spec["name"], len(calls), float32["sum_abs"],
                                                                 float64[spec["name"]]["sum_abs"]))
    for name, total, mean in SEEDED_CHECKS:
        spec = next(dict(s) for s in CASES if s["name"] == name.replace("_test_loop", ""))
        spec["loop"] = "test" if name.endswith("test_loop") else spec["loop"]
        check(name + " (seeded torch)", run(spec, seeded_torch=True)[0], {"sum_abs": total, "mean_abs": mean})
    fixture = {
        "generated_by": "tools/diffusers-reference/generate_sampler_fixtures.py with diffusers " + diffusers.__version__
                        + ", " + source_commit() + ", torch " + torch.__version__,
        "dummy_model": "sample * t / (t + 1) on diffusers' dummy_sample_deter [4, 3, 8, 8]",
        "cases": cases,
    }
    with open(out_file, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


def check(name, result, published):
    for key, tolerance in (("sum_abs", 1e-2), ("mean_abs", 1e-3)):
        if published.get(key) is not None and abs(result[key] - published[key]) >= tolerance:
            raise SystemExit("%s: %s = %r, diffusers' test expects %r" % (name, key, result[key], published[key]))


if __name__ == "__main__":
    main(sys.argv[1])
