"""Demo articles of the knowledge base: useful first answers, in Spanish and a couple in
English. ``knowledge_demo_populate()`` creates the ones missing (by language and slug) and
leaves the others as staff may have edited them."""

from .models import Article, ArticleCategory
from .services import SYSTEM_EDITOR, article_create

DEMO_ARTICLES = [
    {
        "title": "Cómo calcular el precio en USD por quintal desde USD por tonelada",
        "slug": "precio-usd-quintal",
        "language": "es",
        "category": ArticleCategory.PRICES,
        "module": "calculator",
        "tags": ["precio", "quintal", "tonelada", "diferencial", "calculadora"],
        "body": """El mercado cotiza el cacao en **USD por tonelada métrica (TM)**; en el campo se paga
por **quintal (qq)**. Un quintal son 100 libras (45,36 kg), y una tonelada tiene
**22,0462 quintales**.

## La fórmula

    USD/qq = (precio de bolsa USD/TM − diferencial USD/TM) / 22,0462

Ejemplo: bolsa a 6.319 USD/TM con un diferencial de 300 USD/TM:
(6.319 − 300) / 22,0462 = **273,02 USD/qq**.

## En Triboka

1. Abra **Calculadora** en el menú.
2. Escriba el precio de bolsa y uno o varios diferenciales.
3. Triboka muestra el precio por quintal de cada diferencial, redondeado al centavo, y guarda el cálculo.

Un diferencial negativo (un premio) sube el precio por quintal.""",
    },
    {
        "title": "Registrar una balanza IoT",
        "slug": "registrar-balanza-iot",
        "language": "es",
        "category": ArticleCategory.IOT,
        "module": "iot",
        "tags": ["balanza", "báscula", "iot", "pesaje", "dispositivo"],
        "body": """Una balanza conectada envía el peso y la humedad de cada lote sin digitarlos.

1. Entre a **Dispositivos IoT → Nuevo dispositivo** (solo administradores).
2. Dé un nombre, el número de serie y el centro donde está la balanza.
3. Copie la **clave del dispositivo**: se muestra una sola vez. Guárdela en la configuración de la balanza.
4. La balanza envía sus lecturas con la cabecera `Authorization: Device <clave>`
   (`POST /iot/pesaje` con `lote_id`, `peso` y `humedad`), o por MQTT, o en un archivo CSV.

Si pierde la clave, genere una nueva desde la ficha del dispositivo: la anterior deja de servir.
Las lecturas rechazadas aparecen en la pestaña de errores del dispositivo.""",
    },
    {
        "title": "Humedad y fermentación: límites para recibir un lote",
        "slug": "humedad-fermentacion",
        "language": "es",
        "category": ArticleCategory.LOTS,
        "module": "lots",
        "tags": ["humedad", "fermentación", "secado", "calidad", "lote"],
        "body": """El cacao seco para exportación no debe pasar de **7,5 % de humedad** (la norma INEN 176
pide como máximo 7 %). Con más humedad aparece moho y el lote pierde valor.

## Fermentación

- Fermente de **4 a 6 días** (Nacional fino de aroma: 4 a 5; CCN-51: 5 a 6), volteando la masa
  cada 24 a 48 horas.
- Una buena fermentación deja el grano de color marrón por dentro; uno violeta o pizarroso está
  poco fermentado.
- Después, seque al sol o en secadora hasta bajar del límite de humedad.

## En Triboka

Cada lote guarda su humedad. Si una balanza IoT mide una humedad por encima del límite de la
empresa (7,5 % por defecto; lo cambia el administrador en la configuración IoT), Triboka avisa a
los responsables.""",
    },
    {
        "title": "Subir documentos de un contrato",
        "slug": "subir-documentos-contrato",
        "language": "es",
        "category": ArticleCategory.CONTRACTS,
        "module": "documents",
        "tags": ["documentos", "contrato", "factura", "guía de remisión", "pdf"],
        "body": """Cada contrato tiene su carpeta de documentos: contrato firmado, facturas, guías de
remisión, análisis de calidad y certificados.

1. Abra el contrato y vaya a **Documentos**.
2. Elija el tipo de documento y arrastre el archivo (o haga clic para elegirlo).
3. Se aceptan **PDF, PNG, JPG y WebP** de hasta 20 MB; el tipo se comprueba por el contenido,
   no por el nombre.

Los enlaces de descarga caducan y solo sirven a quien puede ver el contrato: un proveedor ve los
documentos de sus contratos y nada más.""",
    },
    {
        "title": "Cómo abrir un ticket de soporte",
        "slug": "abrir-ticket-soporte",
        "language": "es",
        "category": ArticleCategory.SUPPORT,
        "module": "support",
        "tags": ["soporte", "ticket", "ayuda", "incidente"],
        "body": """Si no encuentra la respuesta en este centro de ayuda, escríbanos.

1. Vaya a **Centro de ayuda → Abrir un ticket de soporte**.
2. Escriba un asunto corto: mientras escribe, le sugerimos artículos que quizá ya lo resuelvan.
3. Elija la categoría y la prioridad. **Urgente** es solo cuando el sitio o un módulo esencial
   no funciona para nadie.
4. Describa qué hizo, qué esperaba y qué pasó; adjunte capturas si ayudan.

Le responderemos por correo y en la página del ticket, donde puede contestar. Cuando el ticket
se resuelva, le pediremos que califique la atención.""",
    },
    {
        "title": "Converting USD per tonne into USD per quintal",
        "slug": "usd-per-quintal",
        "language": "en",
        "category": ArticleCategory.PRICES,
        "module": "calculator",
        "tags": ["price", "quintal", "tonne", "differential", "calculator"],
        "body": """Cocoa trades in **USD per metric tonne (TM)**; farmers are paid per **quintal (qq)**,
100 pounds (45.36 kg). A tonne holds **22.0462 quintals**.

    USD/qq = (exchange price USD/TM − differential USD/TM) / 22.0462

Example: 6,319 USD/TM with a 300 USD/TM differential gives (6,319 − 300) / 22.0462 =
**273.02 USD/qq**. The **Calculator** page does this for several differentials at once and keeps
each calculation.""",
    },
    {
        "title": "Opening a support ticket",
        "slug": "open-support-ticket",
        "language": "en",
        "category": ArticleCategory.SUPPORT,
        "module": "support",
        "tags": ["support", "ticket", "help"],
        "body": """Can't find the answer here? Go to **Help centre → Open a support ticket**, write a
short subject (we suggest articles as you type), pick a category and a priority, and describe what
happened. We answer by e-mail and on the ticket's page; **Urgent** is for when the site or an
essential module is down for everyone.""",
    },
]


def knowledge_demo_populate() -> int:
    """Create the demo articles that are missing; returns how many were created."""
    existing = set(Article.objects.values_list("language", "slug"))
    created = 0
    for spec in DEMO_ARTICLES:
        if (spec["language"], spec["slug"]) in existing:
            continue
        article_create(by=SYSTEM_EDITOR, is_published=True, **spec)
        created += 1
    return created
