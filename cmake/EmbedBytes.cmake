# Script mode: writes OUT, a C++ source defining
#   std::string_view SslpanelApiDescriptorSet()
# returning the bytes of IN.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" length)
math(EXPR size "${length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT}.tmp "// Generated from the API descriptor set. Do not edit.\n"
  "#include <string_view>\n\n"
  "namespace {\nconst unsigned char kBytes[${size}] = {\n${bytes}\n};\n}  // namespace\n\n"
  "std::string_view SslpanelApiDescriptorSet() {\n"
  "  return std::string_view(reinterpret_cast<const char*>(kBytes), sizeof(kBytes));\n}\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
