"""The autolog examples run as scripts, OpenAI and Anthropic ones against the fake server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, tmp_path: Path, **env: str) -> str:
    environment = {**os.environ, "TRACEKIT_TRACKING_URI": f"sqlite:///{tmp_path / 'example.db'}", **env}
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_openai_example(llm_server, tmp_path):
    pytest.importorskip("openai")
    out = run_example("openai_autolog.py", tmp_path, OPENAI_BASE_URL=llm_server.openai_url,
                      OPENAI_API_KEY="test-key", EXAMPLE_MODEL="gpt-test")

    assert "echo: What does tracekit record for an OpenAI call? / echo: Say it again, shorter." in out
    assert out.count("openai.chat.completions") == 2
    assert "'total_tokens'" in out


def test_anthropic_example(llm_server, tmp_path):
    pytest.importorskip("anthropic")
    out = run_example("anthropic_autolog.py", tmp_path, ANTHROPIC_BASE_URL=llm_server.anthropic_url,
                      ANTHROPIC_API_KEY="test-key", EXAMPLE_MODEL="claude-test")

    assert "echo: The weather in Paris: Light rain in Paris. Umbrella or not?" in out
    assert out.count("anthropic.messages") == 2
    assert "get_weather" in out


def test_langchain_example(tmp_path):
    pytest.importorskip("langchain_core")
    out = run_example("langchain_autolog.py", tmp_path)

    assert "By default in SQLite." in out
    assert "They nest under their parent." in out
    assert "GenericFakeChatModel" in out and "CHAT_MODEL" in out
    assert "retrieve               RETRIEVER" in out


def test_mlflow3_tracing_example(llm_server, tmp_path):
    pytest.importorskip("openai")
    out = run_example("mlflow3_tracing.py", tmp_path, OPENAI_BASE_URL=llm_server.openai_url,
                      OPENAI_API_KEY="test-key", EXAMPLE_MODEL="gpt-test")

    assert "last trace: reviewed=yes output='Your refund is on its way.'" in out
    assert "billing traces in the run: 2" in out
    assert out.count("  tokens: {'input_tokens': ") == 2
    assert "searched without spans: 4 traces, 0 spans, 3 with token usage" in out
    assert "deleted the 2 oldest; 2 left" in out


def test_sklearn_autolog_example(tmp_path):
    pytest.importorskip("sklearn")
    out = run_example("sklearn_autolog.py", tmp_path)

    assert ": FINISHED, estimator LogisticRegression" in out
    assert "params: C=1.0 max_iter=500" in out
    assert "  LogisticRegression_score_X_test = " in out
    assert "  training_roc_auc = " in out and "  training_log_loss = " in out
    assert "dataset inputs: ['train']" in out
    assert "logged model 'model' predicts [" in out
    assert "grid search: best_C=" in out
    assert out.count("  candidate C=") == 3


def test_lightning_autolog_example(tmp_path):
    pytest.importorskip("lightning")
    out = run_example("lightning_autolog.py", tmp_path)

    assert ": FINISHED" in out
    assert "params: epochs=8 optimizer=Adam lr=0.02 batch_size=32 hidden=16 monitor=val_loss" in out
    assert out.count("  epoch ") >= 3 and "  epoch 0: val_loss = " in out
    assert "artifacts: ['model_summary.txt']" in out
    assert "logged model 'model' predicts [" in out
def test_gbm_autolog_example(tmp_path):
    pytest.importorskip("xgboost")
    pytest.importorskip("lightgbm")
    out = run_example("gbm_autolog.py", tmp_path)

    assert "xgboost.train: run FINISHED, 4 params, " in out
    assert "  artifacts: ['feature_importance_gain.json', 'feature_importance_weight.json']" in out
    assert "  logged model 'model' predicts the same: True" in out
    assert "lightgbm.train: run FINISHED, 3 params, " in out
    assert "  artifacts: ['feature_importance_gain.json', 'feature_importance_split.json']" in out
