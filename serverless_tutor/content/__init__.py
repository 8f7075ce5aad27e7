"""Content models and loaders: lessons, exercises and quizzes are data, validated at load."""
