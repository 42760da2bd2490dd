"""The page scripts, by path: what ``st.navigation``, ``st.page_link`` and ``st.switch_page`` take."""

DATA_PAGE = "app_pages/data.py"
TRAIN_PAGE = "app_pages/train.py"
EVALUATE_PAGE = "app_pages/evaluate.py"
EXPLORE_PAGE = "app_pages/explore.py"
PREDICT_PAGE = "app_pages/predict.py"
CALCULATORS_PAGE = "app_pages/calculators.py"
