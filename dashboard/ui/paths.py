"""The page scripts, by path: what ``st.navigation``, ``st.page_link`` and ``st.switch_page`` take."""

DATA_PAGE = "pages/data.py"
TRAIN_PAGE = "pages/train.py"
EVALUATE_PAGE = "pages/evaluate.py"
EXPLORE_PAGE = "pages/explore.py"
PREDICT_PAGE = "pages/predict.py"
CALCULATORS_PAGE = "pages/calculators.py"
