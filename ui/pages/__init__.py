"""The app's pages, registered with st.navigation in ui/app.py."""
