"""Small Streamlit building blocks shared by the pages."""
