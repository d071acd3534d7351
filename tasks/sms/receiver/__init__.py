"""The delivery-report and incoming-message receiver behind `malux dlr-server`."""
