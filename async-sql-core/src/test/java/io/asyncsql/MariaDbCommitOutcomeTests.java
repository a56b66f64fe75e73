package io.asyncsql;

/**
 * {@link CommitOutcomeTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbCommitOutcomeTests extends CommitOutcomeTests {

	MariaDbCommitOutcomeTests() {
		super(TestDatabase.MARIADB);
	}

}
