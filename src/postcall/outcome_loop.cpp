// placeholder: replaced by the outcome loop
