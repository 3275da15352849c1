"""Demands (需求): what enterprises, white-collar workers, members and residents ask for, and their handling."""
