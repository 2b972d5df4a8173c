"""Placeholder until its issue lands."""
import streamlit as st

st.title("준비 중")
