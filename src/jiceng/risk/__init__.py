"""Five-colour enterprise stability analysis (五色风险分析法): signals, scores, levels, playbooks and follow-ups."""
