// edgealchemy/migrate: filled in by its own issue; exported now so the package layout is final.
export {}
