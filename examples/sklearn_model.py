"""Train a scikit-learn classifier, log it as a model, load it back, predict, and query the predictions' traces.

    python examples/sklearn_model.py          # needs scikit-learn: pip install "tracekit[sklearn]"
"""

from __future__ import annotations

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import tracekit


def main() -> None:
    tracekit.set_experiment("iris")
    features, target = load_iris(return_X_y=True, as_frame=True)
    train_x, test_x, train_y, test_y = train_test_split(features, target, test_size=0.2, random_state=42)

    with tracekit.start_run(run_name="logistic-regression") as run:
        classifier = LogisticRegression(max_iter=500).fit(train_x, train_y)
        accuracy = classifier.score(test_x, test_y)
        tracekit.log_metric("accuracy", accuracy)
        # The signature is inferred from the input example and the classifier's predictions on it.
        info = tracekit.sklearn.log_model(classifier, name="iris_lr", input_example=train_x.head(3),
                                          params={"max_iter": 500})
    print(f"logged {info.model_uri} from run {run.info.run_id}: accuracy {accuracy:.2f}")
    print(f"signature inputs: {info.signature.inputs}")

    model = tracekit.pyfunc.load_model(info.model_uri)
    for start in (0, 10, 20):
        predictions = model.predict(test_x.iloc[start:start + 10])
        print(f"rows {start}-{start + 9}: {list(predictions)}")

    # A column of the wrong type is refused before the model sees it, with the column named.
    try:
        model.predict(test_x.head(1).assign(**{"petal width (cm)": "wide"}))
    except tracekit.TracekitException as error:
        print(f"refused: {error.message.split('.')[0]}")

    traces = tracekit.search_traces(model_id=info.model_id)
    print(f"{len(traces)} prediction traces linked to {info.model_id}: {sorted(traces['state'].astype(str))}")
    logged = tracekit.search_logged_models(filter_string="name = 'iris_lr'", output_format="list")[0]
    print(f"logged model {logged.name}: {logged.status}, source run {logged.source_run_id == run.info.run_id}, "
          f"params {logged.params}")


if __name__ == "__main__":
    main()
