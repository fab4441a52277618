/* test-model.c — the model table
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pd-model.h"
#include "pd-test-util.h"

static void
test_lookup_names (void)
{
  static const struct
  {
    const char *name;
    const char *id;
  } cases[] = {
    { "X1C", "X1C" },
    { "x1c", "X1C" },
    { "X1 Carbon", "X1C" },
    { "BL-P001", "X1C" },
    { "3DPrinter-X1-Carbon", "X1C" },
    { "Bambu Lab X1 Carbon", "X1C" },
    { "A1 mini", "A1MINI" },
    { "a1-mini", "A1MINI" },
    { "A1MINI", "A1MINI" },
    { "N1", "A1MINI" },
    { "A1", "A1" },
    { "N2S", "A1" },
    { "P1P", "P1P" },
    { "C11", "P1P" },
    { "C12", "P1S" },
    { "H2D Pro", "H2DPRO" },
    { "O1E", "H2DPRO" },
    { "O1D", "H2D" },
    { "N6", "X2D" },
    { "N7", "P2S" },
    { "O1S", "H2S" },
    { "O1C2", "H2C" },
    { "C13", "X1E" },
    { "bambu lab a1_mini", "A1MINI" },
    { " X1 - Carbon ", "X1C" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const PdModelInfo *model = pd_model_lookup (cases[i].name);

      g_assert_nonnull (model);
      g_assert_cmpstr (model->id, ==, cases[i].id);
    }

  g_assert_null (pd_model_lookup ("X9"));
  /* a name that only begins or ends like one is not it */
  g_assert_null (pd_model_lookup ("A1 mini 2"));
  g_assert_null (pd_model_lookup ("X1 Carb"));
  g_assert_null (pd_model_lookup ("Bambu Lab "));
  g_assert_null (pd_model_lookup ("---"));
  g_assert_null (pd_model_lookup (""));
  g_assert_null (pd_model_lookup (NULL));
}

static void
test_lookup_serial (void)
{
  static const struct
  {
    const char *serial;
    const char *id;
  } cases[] = {
    { "00M09A350100001", "X1C" },
    { "01S00C123456789", "P1P" },
    { "01P00A123456789", "P1S" },
    { "0309CA471800852", "A1MINI" },
    { "03919D000000000", "A1" },
    { "0948AD000000001", "H2D" },
    { "20P5BJ661500023", "X2D" },
    { "22E8BJ5B1604980", "P2S" },
    { "093000000000000", "H2S" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const PdModelInfo *model = pd_model_lookup_serial (cases[i].serial);

      g_assert_nonnull (model);
      g_assert_cmpstr (model->id, ==, cases[i].id);
    }

  g_assert_null (pd_model_lookup_serial ("ZZZ000"));
  g_assert_null (pd_model_lookup_serial ("01"));
  g_assert_null (pd_model_lookup_serial (NULL));
}

static void
test_capabilities (void)
{
  /* No chamber sensor on P1 and A1: they report a meaningless 5 °C. */
  g_assert_false (pd_model_lookup ("P1P")->chamber_sensor);
  g_assert_false (pd_model_lookup ("P1S")->chamber_sensor);
  g_assert_false (pd_model_lookup ("A1")->chamber_sensor);
  g_assert_false (pd_model_lookup ("A1 mini")->chamber_sensor);
  g_assert_true (pd_model_lookup ("X1C")->chamber_sensor);
  g_assert_false (pd_model_lookup ("X1C")->chamber_heater);
  g_assert_true (pd_model_lookup ("H2D")->chamber_heater);

  g_assert_true (pd_model_lookup ("H2D")->dual_nozzle);
  g_assert_true (pd_model_lookup ("X2D")->dual_nozzle);
  g_assert_false (pd_model_lookup ("H2S")->dual_nozzle);

  g_assert_cmpint (pd_model_lookup ("A1")->camera, ==, PD_CAMERA_KIND_JPEG);
  g_assert_cmpint (pd_model_lookup ("P1S")->camera, ==, PD_CAMERA_KIND_JPEG);
  g_assert_cmpint (pd_model_lookup ("X1C")->camera, ==, PD_CAMERA_KIND_RTSPS);
  g_assert_cmpint (pd_model_lookup ("H2D")->camera, ==, PD_CAMERA_KIND_RTSPS);
}

static void
test_product_name (void)
{
  g_assert_cmpstr (pd_model_lookup_product_name ("Bambu Lab H2D")->id, ==, "H2D");
  g_assert_cmpstr (pd_model_lookup_product_name ("Bambu Lab A1 mini")->id, ==, "A1MINI");
  /* Modules other than the printer have product names too. */
  g_assert_null (pd_model_lookup_product_name ("AMS HT (1)"));
  g_assert_null (pd_model_lookup_product_name ("Air Pump"));
  g_assert_null (pd_model_lookup_product_name (""));
}

static void
test_table_consistent (void)
{
  guint              n;
  const PdModelInfo *models = pd_model_get_all (&n);

  g_assert_cmpuint (n, >=, 14);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (strlen (models[i].serial_prefix), ==, 3);
      g_assert_true (pd_model_lookup (models[i].id) == &models[i]);
      g_assert_true (pd_model_lookup (models[i].display_name) == &models[i]);
      g_assert_true (pd_model_lookup_product_name (models[i].product_name) == &models[i]);
      for (guint j = i + 1; j < n; j++)
        g_assert_cmpstr (models[i].serial_prefix, !=, models[j].serial_prefix);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/lookup/names", test_lookup_names);
  g_test_add_func ("/model/lookup/serial", test_lookup_serial);
  g_test_add_func ("/model/lookup/product-name", test_product_name);
  g_test_add_func ("/model/capabilities", test_capabilities);
  g_test_add_func ("/model/table-consistent", test_table_consistent);

  return g_test_run ();
}
