"""JobLens dashboard entry: navigation only; each page is a thin file in pages/ calling core."""
import streamlit as st

st.set_page_config(page_title="JobLens", page_icon="🔎", layout="wide")
st.title("JobLens")
st.write("준비 중입니다.")
