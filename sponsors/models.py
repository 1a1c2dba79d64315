# Sponsor and Listing arrive with the sponsors issue (see DESIGN.md, "Data model").
