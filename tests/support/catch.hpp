#pragma once

// One include for Catch2 v2 (single header) and v3 (split headers).
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
