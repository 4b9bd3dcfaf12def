#include "common/mysql/migrator.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::mysql {
namespace {

using ::testing::ElementsAre;

TEST(SplitStatements, SplitsAtSemicolonsEndingALineAndDropsComments) {
  EXPECT_THAT(SplitStatements("-- a comment\n"
                              "CREATE TABLE a (\n  x INT -- inline stays\n);\n"
                              "\n"
                              "INSERT INTO a VALUES ('1;2');\n"
                              "ALTER TABLE a ADD y INT"),
              ElementsAre("CREATE TABLE a (\n  x INT -- inline stays\n)",
                          "INSERT INTO a VALUES ('1;2')", "ALTER TABLE a ADD y INT"));
}

}  // namespace
}  // namespace sslpanel::mysql
