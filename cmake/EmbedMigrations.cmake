# Script mode helper of sslpanel_embed_migrations(): writes OUT from FILES.
set(body "")
foreach(file ${FILES})
  get_filename_component(name ${file} NAME_WE)
  string(REGEX MATCH "^[0-9]+" version ${name})
  if(NOT version)
    message(FATAL_ERROR "Migration ${file} must start with its number (0001_name.sql)")
  endif()
  math(EXPR version "${version}")
  file(READ ${file} sql)
  string(APPEND body "    {${version}, \"${name}\", R\"sslpanel_sql(${sql})sslpanel_sql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from the migrations directory. Do not edit.\n"
  "#include \"common/mysql/migrator.h\"\n\n"
  "const std::vector<sslpanel::mysql::Migration>& ${FUNCTION}() {\n"
  "  static const auto* migrations = new std::vector<sslpanel::mysql::Migration>{\n${body}  };\n"
  "  return *migrations;\n}\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
