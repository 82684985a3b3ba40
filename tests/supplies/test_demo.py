"""The demo's supplies: a catalogue with standards, reserve warehouses in all four regions whose
stock came in through the ledger, and a production capacity list; a second run adds nothing."""

from django.core.management import call_command

from supplies.demo import seed
from supplies.models import ProductionCapacity, StockBalance, StockMovement, SupplyItem, Warehouse
from supplies.services import ledger_check


def test_it_seeds_the_catalogue_with_standards(demo):
    seed()
    standards = dict(SupplyItem.objects.values_list("code", "standard"))
    assert standards["mask-n95"] == "GB 19083-2010"
    assert standards["mask-surgical"] == "YY 0469-2011"
    assert standards["suit-protective"] == "GB 19082-2009"
    assert {"ventilator-invasive", "ecmo", "ambulance-negative-pressure", "test-kit-nucleic-acid"} <= set(standards)


def test_every_region_has_a_warehouse_run_by_its_liaison_office(demo):
    seed()
    assert set(Warehouse.objects.values_list("region_id", flat=True)) == {"310000", "320000", "330000", "340000"}
    for warehouse in Warehouse.objects.select_related("organisation"):
        assert (warehouse.organisation.kind, warehouse.organisation.region_id) == (
            "liaison_office",
            warehouse.region_id,
        )


def test_stock_came_in_through_the_ledger(demo):
    seed()
    assert StockBalance.objects.count() > 20
    assert StockMovement.objects.filter(kind="receipt").count() == StockBalance.objects.count()
    assert StockMovement.objects.filter(kind="adjustment").exists()
    assert ledger_check() == []
    call_command("check_stock_ledger", verbosity=0)


def test_it_lists_production_capacity_of_enterprises(demo):
    seed()
    dasheng = ProductionCapacity.objects.get(enterprise="上海大胜卫生用品制造有限公司", item__code="mask-n95")
    assert (dasheng.region_id, dasheng.daily_capacity, dasheng.uncommitted) == ("310000", 200000, 50000)


def test_a_second_run_adds_nothing(demo):
    seed()
    counts = [m.objects.count() for m in (SupplyItem, Warehouse, StockBalance, StockMovement, ProductionCapacity)]
    seed()
    assert [
        m.objects.count() for m in (SupplyItem, Warehouse, StockBalance, StockMovement, ProductionCapacity)
    ] == counts
