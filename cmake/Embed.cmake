# Embeds the numbered SQL migrations of a directory into a C++ source file, so
# the binary's "migrate" command needs no files beside it (Kubernetes Job).
# Generates a function `const std::vector<sslpanel::mysql::Migration>& <fn>()`.
function(sslpanel_embed_migrations target dir function_name)
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFUNCTION=${function_name} "-DFILES=${files}"
            -P ${CMAKE_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    COMMENT "Embedding migrations of ${dir}" VERBATIM)
  add_library(${target} STATIC ${out})
  target_link_libraries(${target} PUBLIC sslpanel_mysql)
endfunction()
