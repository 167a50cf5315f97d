package store

import (
	"testing"

	"github.com/lib/pq"
)

// A save that waited at the shop's index for the row that has its PIN is
// told by the server's context line alone, which a server whose
// lc_messages is not English writes in its own words: each line below is
// PostgreSQL 15's own translation, of an index's insert and of a row's
// update, which is no such wait.
func TestAWaitAtAnIndexIsReadInTheServersLanguages(t *testing.T) {
	atIndex := []string{
		`while inserting index tuple (0,4) in relation "orders_pin_key"`,
		`beim Einfügen von Indextupel (0,4) in Relation »orders_pin_key«`,
		`mientras se insertaba la tupla de índice (0,4) en la relación «orders_pin_key»`,
		`リレーション"orders_pin_key"のインデックスタプル(0,4)の挿入中`,
		`0,4 튜플 인덱스(해당 릴레이션 "orders_pin_key")를 삽입하는 중에 발생`,
		`при добавлении кортежа индекса (0,4) в отношении "orders_pin_key"`,
		`vid insättning av indextupel (0,4) i relation "orders_pin_key"`,
		`при вставці кортежу індексу (0,4) в зв'язку "orders_pin_key"`,
		`在往关系"orders_pin_key"中插入索引元组 (0,4) 时`,
	}
	for _, where := range atIndex {
		err := &pq.Error{Code: "55P03", Message: "canceling statement due to lock timeout", Where: where}
		if index, ok := IndexRefused(err); !ok || index != "orders_pin_key" {
			t.Errorf("%s: IndexRefused = %q, %v; want orders_pin_key", where, index, ok)
		}
	}
	atRow := []string{
		`while updating tuple (0,1) in relation "product_orders"`,
		`beim Aktualisieren von Tupel (0,1) in Relation »product_orders«`,
		`mientras se actualizaba la tupla (0,1) en la relación «product_orders»`,
		`lors de la mise à jour de la ligne (0,1) dans la relation « product_orders »`,
		`durante la modifica della tupla (0,1) nella relazione "product_orders"`,
		`リレーション"product_orders"のタプル(0,1)の更新中`,
		`0,1 튜플(해당 릴레이션 "product_orders")을 갱신하는 중에 발생`,
		`当更新关系"product_orders"的元组(0, 1)时`,
		// The shop's own code, in any language, and no context at all.
		"PL/pgSQL-Funktion shop_audit() Zeile 3 bei SQL-Anweisung\nbeim Einfügen von Indextupel (0,4) in Relation »audit_key«",
		``,
	}
	for _, where := range atRow {
		err := &pq.Error{Code: "55P03", Message: "canceling statement due to lock timeout", Where: where}
		if index, ok := IndexRefused(err); ok {
			t.Errorf("%s: IndexRefused = %q, true; want no index", where, index)
		}
	}
}
