# libphonenumber ships no CMake package on Debian 12: bot::phonenumber is an imported target over
# the library find_library finds, so that the exported targets name it and not its path (the
# installed package stays relocatable). Included by the build and by libbotConfig.cmake.
if(NOT TARGET bot::phonenumber)
  find_library(PHONENUMBER_LIBRARY phonenumber)
  if(PHONENUMBER_LIBRARY)
    add_library(bot::phonenumber UNKNOWN IMPORTED)
    set_target_properties(bot::phonenumber PROPERTIES IMPORTED_LOCATION "${PHONENUMBER_LIBRARY}")
  endif()
endif()
