// Catch2 v2 provides main() when this is defined in exactly one translation unit.
#define CATCH_CONFIG_MAIN
#include "catch.hpp"
