// The start-up dialog for an unusable database: which ways out it offers for which problem, and that the
// button clicked is the choice reported.

#include <QtTest>

#include <QAbstractButton>
#include <QTimer>

#include "main/DatabaseProblemDialog.h"

using cctv::ui::DatabaseProblemDialog;
using Choice = DatabaseProblemDialog::Choice;

class TestDatabaseDialog : public QObject {
  Q_OBJECT

  static Choice clickAndExec(DatabaseProblemDialog& d, Choice c) {
    QTimer::singleShot(0, &d, [&d, c] { d.buttonFor(c)->click(); });
    d.exec();
    return d.choice();
  }

 private Q_SLOTS:
  void damagedFileOffersMoveAside() {
    DatabaseProblemDialog d("/home/u/.local/share/cctv/cctv.db", "cannot open database ...: it is damaged", true);
    QVERIFY(d.text().contains("/home/u/.local/share/cctv/cctv.db"));
    QVERIFY(d.informativeText().contains("it is damaged"));
    QVERIFY(d.buttonFor(Choice::OpenAnother));
    QVERIFY(d.buttonFor(Choice::MoveAside));
    QVERIFY(!d.buttonFor(Choice::Retry));
    QCOMPARE(clickAndExec(d, Choice::MoveAside), Choice::MoveAside);
  }
  void lockedFileOffersRetry() {
    DatabaseProblemDialog d("/tmp/x.db", "it is locked by another process", false);
    QVERIFY(!d.buttonFor(Choice::MoveAside));
    QVERIFY(d.buttonFor(Choice::Retry));
    QCOMPARE(clickAndExec(d, Choice::Retry), Choice::Retry);
  }
  void everyChoiceIsReported() {
    for (Choice c : {Choice::OpenAnother, Choice::Quit}) {
      DatabaseProblemDialog d("/tmp/x.db", "e", true);
      QCOMPARE(clickAndExec(d, c), c);
    }
    DatabaseProblemDialog closed("/tmp/x.db", "e", true);
    QTimer::singleShot(0, &closed, [&closed] { closed.reject(); });
    closed.exec();
    QCOMPARE(closed.choice(), Choice::Quit);
  }
};

QTEST_MAIN(TestDatabaseDialog)
#include "tst_database_dialog.moc"
