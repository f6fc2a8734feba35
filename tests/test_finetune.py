"""Fine-tuning (notebook 10): format and mask, QLoRA gradients, a LoRA run, adapters, and serving the result."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import torch

from helpers import finetune as ft
from helpers.engine.chat_format import mistral_v3_text
from helpers.exercises import nb10


@pytest.fixture(scope="module")
def tokenizer(gemma_tokenizer):
    return gemma_tokenizer


@pytest.fixture(scope="module")
def encoded(tokenizer):
    return [ft.encode_example(tokenizer, ex) for ex in ft.load_examples("train")[:16]]


# --- data, format and mask ---------------------------------------------------------------------

def test_dataset_splits_are_disjoint_and_balanced():
    train, held = ft.load_examples("train"), ft.load_examples("heldout")
    assert len(train) >= 150 and len(held) >= 40
    assert not {e["text"] for e in train} & {e["text"] for e in held}
    assert {e["category"] for e in held} == set(ft.categories())
    assert all(e["verdict"] in ft.VERDICTS for e in train + held)
    with pytest.raises(KeyError, match="heldout"):
        ft.load_examples("test")


def _generator():
    path = Path(__file__).resolve().parent.parent / "scripts" / "make_threat_dataset.py"
    spec = importlib.util.spec_from_file_location("make_threat_dataset", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def skeleton(text: str, names: set[str]) -> str:
    """A log line with its variable fields masked: what is left is the template it was written from.

    Masks quoted strings, e-mail addresses, IPv4 addresses (with a port), domain and host names
    (anything dotted, `powershell.exe` included), the given user and host names, then every number.
    """
    line = text.lower()
    line = re.sub(r'"[^"]*"', "<q>", line)
    line = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "<email>", line)
    line = re.sub(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?", "<ip>", line)
    line = re.sub(r"\b[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.[a-z][a-z0-9]{1,9}\b", "<domain>", line)
    if names:
        line = re.sub(r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?![\w-])",
                      "<name>", line)
    return " ".join(re.sub(r"\d+", "<n>", line).split())


def split_leaks(train: list[dict], heldout: list[dict], names: set[str]) -> list[str]:
    """Why the held-out split would measure memorisation: shared templates or shared sources (empty if none)."""
    problems = []
    seen = {skeleton(row["text"], names): row for row in train}
    for row in heldout:
        twin = seen.get(skeleton(row["text"], names))
        if twin is not None:
            problems.append(f"{row['id']} has the template of {twin['id']}: {row['text']!r} ~ {twin['text']!r}")
    shared = {row.get("source") for row in train} & {row.get("source") for row in heldout}
    if shared:
        problems.append(f"sources in both splits: {sorted(map(str, shared))}")
    return problems


def test_heldout_lines_come_from_templates_and_sources_never_trained_on():
    gen = _generator()
    names = set(gen.USERS + gen.BAD_USERS + gen.HOSTS)
    train, held = ft.load_examples("train"), ft.load_examples("heldout")
    assert all(row["source"] for row in train + held)
    assert split_leaks(train, held, names) == []
    # The normaliser does mask: the 152 training lines collapse to a few dozen skeletons.
    assert len({skeleton(r["text"], names) for r in train}) < len(train) / 2
    # The category cannot be read off the prefix: several training sources per category, most shared.
    for category in ft.categories():
        assert len({r["source"] for r in train if r["category"] == category}) >= 3, category
    by_source = {}
    for row in train:
        by_source.setdefault(row["source"], set()).add(row["category"])
    assert sum(len(c) > 1 for c in by_source.values()) >= len(by_source) // 2


def test_threat_dataset_is_what_the_seeded_generator_writes():
    gen = _generator()
    for split, rows in gen.build().items():
        assert gen.jsonl(rows) == (Path(ft.data_dir()) / "finetune" / ft.SPLITS[split]).read_text(encoding="utf-8")


def test_mistral_v3_text_is_mistral_commons_rendering():
    messages = ft.chat_messages(ft.load_examples("train")[0])
    text = mistral_v3_text(messages, specials={})
    assert text.startswith("<s>[INST] Classify") and text.endswith("}</s>") and "[/INST] {" in text
    # The text, tokenized by the v3 tokenizer, gives back mistral-common's exact ids.
    from helpers.tokens import encode_chat, mistral_tokenizer

    inner = mistral_tokenizer("v3").instruct_tokenizer.tokenizer
    body = text.removeprefix("<s>[INST] ").split("[/INST]")[0]  # SentencePiece adds the leading space itself
    ids = encode_chat(messages).tokens
    assert ids[:2] == [1, 3] and inner.encode(body, bos=False, eos=False) == ids[2:ids.index(4)]
    # Fine-tuning validation: the training form ends with the assistant, the serving form with the user.
    assert mistral_v3_text(messages[:1]) == ft.render_prompt(ft.load_examples("train")[0])


def test_stand_in_example_masks_the_prompt(tokenizer, encoded):
    ex = ft.load_examples("train")[0]
    prompt, answer = ft.render_example(ex)
    assert prompt.startswith("<bos>[INST]") and prompt.endswith("[/INST]")
    assert json.loads(answer.removesuffix("<eos>")) == {"verdict": ex["verdict"], "category": ex["category"]}
    e = encoded[0]
    assert e.input_ids[0] == tokenizer.bos_token_id and e.input_ids[-1] == tokenizer.eos_token_id
    assert e.labels[:e.prompt_tokens] == [ft.IGNORE_INDEX] * e.prompt_tokens
    assert e.labels[e.prompt_tokens:] == e.input_ids[e.prompt_tokens:]
    assert tokenizer.decode(e.input_ids[e.prompt_tokens:-1]).strip() == ft.label_json(ex)


def test_real_mistral_v3_ids_and_mask():
    ex = ft.load_examples("train")[0]
    e = ft.encode_mistral_v3(ex)
    assert e.input_ids[0] == 1 and e.input_ids[1] == 3 and e.input_ids[-1] == 2
    assert e.input_ids[e.prompt_tokens - 1] == 4  # [/INST] closes the prompt
    assert e.labels.count(ft.IGNORE_INDEX) == e.prompt_tokens
    table = ft.mask_table(e, ft.mistral_v3_pieces(e.input_ids))
    assert table["in loss"].sum() == e.answer_tokens and table.iloc[-1]["piece"] == "</s>"


def test_label_mask_rejects_nonsense():
    with pytest.raises(ValueError, match="answer token"):
        ft.label_mask([1, 2, 3], 3)


@pytest.mark.slow  # loads Gemma in FP32 and runs a forward pass: about 5 s on 2 cores
def test_answer_loss_equals_full_loss(encoded, tokenizer):
    model = ft.load_train_model()
    batch = ft.collate(encoded[:3], tokenizer.pad_token_id)
    with torch.no_grad():
        assert ft.answer_loss(model, batch).item() == pytest.approx(model(**batch).loss.item(), rel=1e-4)


def test_parse_label():
    assert ft.parse_label(' {"verdict": "benign", "category": "web-request"}') == {"verdict": "benign", "category": "web-request"}
    assert ft.parse_label('{"verdict": "bad", "category": "x"}') is None
    assert ft.parse_label("benign") is None and ft.parse_label('{"verdict": "benign"') is None


def test_loss_summary_compares_runs_on_the_same_window():
    long = ft.TrainResult(losses=[2.0] * 5 + [1.0] * 30 + [0.1] * 5, seconds=8.0, steps=40, batch_size=4,
                          learning_rate=1e-3, examples_seen=160)
    short = ft.TrainResult(losses=[3.0] * 5 + [0.5] * 5, seconds=2.0, steps=10, batch_size=4,
                           learning_rate=1e-3, examples_seen=40)
    a, b = long.summary(), short.summary()
    assert a.keys() == b.keys()  # same rows: the window does not depend on the run's length
    assert a["loss at the start (mean of steps 1-5)"] == 2.0 and a["loss at the end (mean of the last 5 steps)"] == 0.1
    assert b["loss at the start (mean of steps 1-5)"] == 3.0 and b["loss at the end (mean of the last 5 steps)"] == 0.5
    with pytest.raises(ValueError, match="window"):
        short.summary(window=11)


def test_compare_puts_scored_runs_side_by_side():
    rows = ft.load_examples("heldout")[:2]
    good = ft.score(rows, [ft.label_json(r) for r in rows])
    bad = ft.score(rows, ["no idea", '{"verdict": "benign", "category": "x"}'])
    table = ft.compare({"a": good, "b": bad})
    assert list(table.columns) == ["a", "b"]
    assert table.loc["accuracy", "a"] == 1.0 and table.loc["valid JSON rate", "b"] == 0.5
    assert ft.before_after(bad, good).loc["accuracy"].tolist() == [0.0, 1.0]


def test_lora_share_of_mistral_7b_from_shapes():
    share = ft.mistral_7b_lora_share(16)
    assert share["trainable"] == 32 * 16 * (8192 + 5120 + 5120 + 8192) == 13_631_488
    assert 0.1 < share["trainable %"] < 0.3


# --- QLoRA gradients against a dequantized reference ---------------------------------------------

@pytest.mark.slow  # loads a 4-bit and an FP32 Gemma and backpropagates through both
def test_qlora_gradients_match_dequantized_reference(encoded, tokenizer):
    batch = ft.collate(encoded[:2], tokenizer.pad_token_id)
    config = ft.lora_config(dropout=0.0)
    with ft.quiet():
        qmodel = ft.load_qlora_base(prepare=False, compute_dtype="float32")  # fixed: repacking off
        reference = ft.load_train_model()  # FP32
        assert ft.dequantized_reference(qmodel, reference) == 18 * 7
        q = ft.add_lora(qmodel, config, seed=0)
        ref = ft.add_lora(reference, ft.lora_config(dropout=0.0), seed=0)
        ft.randomize_lora_b(q, seed=1)
        ft.copy_lora(q, ref)
        # An eval forward first: with the fix it must not matter.
        q.eval()
        with torch.no_grad():
            q(input_ids=batch["input_ids"][:1, :8])
        from helpers.quantize_hf import repacked_layers

        assert repacked_layers(q) == 0
        diff = ft.gradient_difference(ft.lora_gradients(q, batch), ft.lora_gradients(ref, batch))
    assert len(diff) == 18 * 4 * 2
    assert diff["relative difference"].max() < 1e-3, diff.sort_values("relative difference").tail()

    # The trap: the same model without the fix, after one eval forward, gives wrong gradients.
    with ft.quiet():
        trapped = ft.add_lora(ft.load_qlora_base(fix_repack=False, prepare=False, compute_dtype="float32"), ft.lora_config(dropout=0.0), seed=0)
        ft.copy_lora(q, trapped)
        trapped.eval()
        with torch.no_grad():
            trapped(input_ids=batch["input_ids"][:1, :8])
        wrong = ft.gradient_difference(ft.lora_gradients(trapped, batch), ft.lora_gradients(ref, batch))
    from helpers.quantize_hf import repacked_layers

    if repacked_layers(trapped) == 0:
        pytest.skip("this CPU has no AVX512-BF16: bitsandbytes does not repack, there is no trap to show")
    assert wrong["relative difference"].max() > 0.1


# --- a tiny LoRA run, adapters and merging ----------------------------------------------------------

@pytest.fixture(scope="module")
def trained(encoded, tokenizer):
    model = ft.add_lora(ft.load_train_model(), seed=0)
    result = ft.train(model, encoded, steps=12, batch_size=4, learning_rate=1e-3, seed=0,
                      pad_id=tokenizer.pad_token_id, plot=False, progress=False)
    return model, result


@pytest.mark.slow  # trains (the `trained` fixture: 12 LoRA steps)
def test_lora_run_lowers_the_loss(trained):
    model, result = trained
    share = ft.trainable_share(model)
    assert 0 < share["trainable %"] < 1
    assert sum(result.losses[-4:]) / 4 < 0.5 * sum(result.losses[:2]) / 2


@pytest.mark.slow  # trains
def test_lora_is_deterministic(encoded, tokenizer, trained):
    model = ft.add_lora(ft.load_train_model(), seed=0)
    again = ft.train(model, encoded, steps=2, batch_size=4, learning_rate=1e-3, seed=0,
                     pad_id=tokenizer.pad_token_id, plot=False, progress=False)
    assert again.losses == pytest.approx(trained[1].losses[:2], rel=1e-5)
    # A step and an optimizer written outside (as notebook 10 does) drive the same loop; the result reports
    # the optimizer's learning rate, not the argument's default.
    import torch

    model = ft.add_lora(ft.load_train_model(), seed=0)
    calls = []

    def step(m, batch, optimizer):
        calls.append(batch["input_ids"].shape[0])
        return ft.training_step(m, batch, optimizer)

    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3, weight_decay=0.0)
    outside = ft.train(model, encoded, steps=2, batch_size=4, seed=0, optimizer=optimizer, step=step,
                       pad_id=tokenizer.pad_token_id, plot=False, progress=False)
    assert calls == [4, 4] and outside.learning_rate == 1e-3
    assert outside.losses == pytest.approx(trained[1].losses[:2], rel=1e-5)


@pytest.mark.slow  # trains
def test_adapter_save_reload_merge(trained, encoded, tokenizer):
    model, _ = trained
    batch = ft.collate(encoded[:2], tokenizer.pad_token_id)
    folder = ft.save_adapter(model, "test-adapter")
    assert ft.folder_bytes(folder) < 10e6
    reloaded = ft.load_adapter(folder)
    assert ft.max_logit_difference(model, reloaded, batch) == 0.0
    merged = reloaded.merge_and_unload()
    assert not hasattr(merged, "peft_config")
    assert ft.max_logit_difference(model, merged, batch) < 1e-3


# --- serving an extra model alias -----------------------------------------------------------------

@pytest.mark.slow  # it starts an endpoint of its own, with an extra model
def test_endpoint_serves_an_extra_alias_through_the_sdk():
    from llama_cpp import Llama
    from mistralai.client import Mistral

    from helpers.engine.embedded import CHAT_ALIAS, GEMMA_ALIAS, prepare_gemma_model
    from helpers.engine.serving import LocalEndpoint, free_port

    alias = "standin-gemma-3-270m-extra-test"
    gemma = prepare_gemma_model(progress=False)
    ask = [{"role": "user", "content": "Say hi."}]
    # What the extra alias must read: Mistral's v3 format (it starts with Gemma's <bos>) in Gemma's vocabulary.
    vocab = Llama(model_path=str(gemma), vocab_only=True, verbose=False)
    v3_prompt_tokens = len(vocab.tokenize(mistral_v3_text(ask).encode(), add_bos=False, special=True))
    with LocalEndpoint(port=free_port(), n_ctx=2048, extra_models={alias: gemma},
                       chat_formats={alias: "workbook-mistral-v3"}) as server:
        client = Mistral(api_key="local", server_url=server.base_url)
        served = [m.id for m in client.models.list().data]
        assert alias in served and CHAT_ALIAS in served
        card = next(m for m in client.models.list().data if m.id == alias)
        assert "Stand-in" in card.description
        reply = client.chat.complete(model=alias, messages=ask, temperature=0, max_tokens=8)
        # `model` only echoes the request; the prompt's length shows which model read it, and in which format.
        assert reply.model == alias and reply.usage.completion_tokens > 0
        assert reply.usage.prompt_tokens == v3_prompt_tokens, "the extra alias must read Mistral v3 with Gemma's vocabulary"
        same_weights = client.chat.complete(model=GEMMA_ALIAS, messages=ask, temperature=0, max_tokens=1)
        assert same_weights.usage.prompt_tokens != v3_prompt_tokens  # the same file under its default format reads another
        default = client.chat.complete(model=CHAT_ALIAS, messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
        assert default.model == CHAT_ALIAS and default.choices[0].message.content.strip()
        with pytest.raises(Exception) as info:
            client.chat.complete(model="standin-nope", messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
        assert alias in str(info.value) and "404" in str(info.value)


def test_endpoint_rejects_bad_extra_models(tmp_path):
    from helpers.engine.endpoint import extra_chat_settings, parse_assignments

    with pytest.raises(ValueError, match="not found"):
        extra_chat_settings({"standin-x": str(tmp_path / "missing.gguf")}, {})
    with pytest.raises(ValueError, match="already served"):
        extra_chat_settings({"standin-gemma-3-270m": __file__}, {})
    with pytest.raises(ValueError, match="Unknown chat format"):
        extra_chat_settings({"standin-x": __file__}, {"standin-x": "chatml"})
    with pytest.raises(ValueError, match="ALIAS="):
        parse_assignments(["no-equals-sign"], "--chat-model path")


def test_llama_cpp_tokenizes_the_prompt_as_training_did(tokenizer):
    from llama_cpp import Llama

    from helpers.engine.embedded import prepare_gemma_model

    prompt = ft.render_prompt(ft.load_examples("heldout")[0])
    llm = Llama(model_path=str(prepare_gemma_model(progress=False)), vocab_only=True, verbose=False)
    assert llm.tokenize(prompt.encode(), add_bos=False, special=True) == tokenizer(prompt, add_special_tokens=False)["input_ids"]


# --- exercises -------------------------------------------------------------------------------------

def test_exercises_accept_the_solution_and_teach_on_wrong_answers():
    assert nb10.q1.check(32 * (8 * (4096 + 4096) + 8 * (4096 + 1024)))
    assert "one decoder layer" in nb10.q1.check(8 * (4096 + 4096) + 8 * (4096 + 1024)).message
    assert "full weight" in nb10.q1.check(32 * (4096 * 4096 + 4096 * 1024)).message
    assert nb10.q2.check([-100] * nb10.MASK_PROMPT_TOKENS + nb10.MASK_IDS[nb10.MASK_PROMPT_TOKENS:])
    assert "inverted" in nb10.q2.check([t if i < nb10.MASK_PROMPT_TOKENS else -100
                                        for i, t in enumerate(nb10.MASK_IDS)]).message
    assert "0 is a real token" in nb10.q2.check([0] * nb10.MASK_PROMPT_TOKENS
                                                + nb10.MASK_IDS[nb10.MASK_PROMPT_TOKENS:]).message
    assert nb10.q3.check(16) and "doubles" in nb10.q3.check(32).message and not nb10.q3.check(8)
    assert not nb10.q1.check(...) and "replace" in nb10.q1.check(...).message


def test_local_endpoint_checks_extra_model_files(tmp_path):
    from helpers.engine.serving import LocalEndpoint

    with pytest.raises(FileNotFoundError, match="standin-x"):
        LocalEndpoint(extra_models={"standin-x": tmp_path / "missing.gguf"})
