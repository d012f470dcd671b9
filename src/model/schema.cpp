// EntitySpec helpers live in entities.cpp
